"""`pixelpass config` and `pixelpass completions`, run as a user would:
the real binary with a controlled environment (HOME, XDG_CONFIG_HOME,
PIXELPASS_CONFIG) and files in a temporary folder. No network."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest


def run(binary: Path, *args: str, env: dict | None = None, home: Path | None = None,
        timeout: float = 20) -> subprocess.CompletedProcess:
    """Runs pixelpass with only PATH and the given variables, so the
    developer's own config file can never leak into a test."""
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    if home is not None:
        base["HOME"] = str(home)
    base.update(env or {})
    return subprocess.run([str(binary), *args], capture_output=True, text=True, env=base, timeout=timeout)


def describe(r: subprocess.CompletedProcess) -> str:
    return f"exit {r.returncode}\n--- stdout\n{r.stdout}\n--- stderr\n{r.stderr}"


# ---------------------------------------------------------------- config path


def test_path_defaults_to_home_dot_config(pixelpass_bin, tmp_path):
    r = run(pixelpass_bin, "config", "path", home=tmp_path)
    assert r.returncode == 0, describe(r)
    assert r.stdout == f"{tmp_path}/.config/pixelpass/config.toml\n", describe(r)
    assert "no file there" in r.stderr and "pixelpass config init" in r.stderr, describe(r)


def test_path_honours_xdg_config_home(pixelpass_bin, tmp_path):
    xdg = tmp_path / "xdg"
    r = run(pixelpass_bin, "config", "path", home=tmp_path, env={"XDG_CONFIG_HOME": str(xdg)})
    assert r.returncode == 0, describe(r)
    assert r.stdout == f"{xdg}/pixelpass/config.toml\n", describe(r)
    assert "XDG_CONFIG_HOME" in r.stderr, describe(r)


def test_path_ignores_relative_xdg_config_home(pixelpass_bin, tmp_path):
    r = run(pixelpass_bin, "config", "path", home=tmp_path, env={"XDG_CONFIG_HOME": "relative"})
    assert r.stdout == f"{tmp_path}/.config/pixelpass/config.toml\n", describe(r)


def test_path_honours_pixelpass_config_and_says_the_file_exists(pixelpass_bin, tmp_path):
    config = tmp_path / "mine.toml"
    config.write_text("[host]\nfps = 10\n")
    r = run(pixelpass_bin, "config", "path", home=tmp_path,
            env={"XDG_CONFIG_HOME": str(tmp_path / "xdg"), "PIXELPASS_CONFIG": str(config)})
    assert r.returncode == 0, describe(r)
    assert r.stdout == f"{config}\n", describe(r)
    assert "the file exists" in r.stderr and "PIXELPASS_CONFIG" in r.stderr, describe(r)


def test_path_without_any_location_is_a_usage_error(pixelpass_bin):
    r = run(pixelpass_bin, "config", "path")
    assert r.returncode == 2, describe(r)
    assert "set HOME, XDG_CONFIG_HOME or PIXELPASS_CONFIG" in r.stderr, describe(r)


# ---------------------------------------------------------------- config show


def setting_line(output: str, key: str) -> str:
    lines = [line for line in output.splitlines() if re.match(rf"^(# )?{key}\b", line)]
    assert len(lines) == 1, f"expected one line for {key} in:\n{output}"
    return lines[0]


def test_show_without_a_file_prints_the_defaults(pixelpass_bin, tmp_path):
    r = run(pixelpass_bin, "config", "show", home=tmp_path)
    assert r.returncode == 0, describe(r)
    assert "(not there: built-in defaults only)" in r.stdout, describe(r)
    assert re.fullmatch(r'source = "auto"\s+# default', setting_line(r.stdout, "source"))
    assert re.fullmatch(r"bitrate = 4000\s+# default", setting_line(r.stdout, "bitrate"))
    assert re.fullmatch(r"fps = 30\s+# default", setting_line(r.stdout, "fps"))
    assert re.fullmatch(r"max_viewers = 4\s+# default", setting_line(r.stdout, "max_viewers"))
    assert re.fullmatch(r"hwencode = true\s+# default", setting_line(r.stdout, "hwencode"))
    assert re.fullmatch(r'bind = "0\.0\.0\.0:0"\s+# default.*', setting_line(r.stdout, "bind"))
    assert re.fullmatch(r"# port is not set\s+# default: a free port", setting_line(r.stdout, "port"))
    assert setting_line(r.stdout, "player").startswith("# player is not set"), r.stdout


def test_show_marks_values_from_the_file_with_their_lines(pixelpass_bin, tmp_path):
    config = tmp_path / ".config" / "pixelpass" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('# mine\n[host]\nfps = 60\nsize = "1280x720"\n\n[view]\nplayer = "none"\nport = 8080\n')
    r = run(pixelpass_bin, "config", "show", home=tmp_path)
    assert r.returncode == 0, describe(r)
    assert f"# file: {config}\n" in r.stdout, describe(r)
    assert re.fullmatch(r"fps = 60\s+# from file, line 3", setting_line(r.stdout, "fps")), r.stdout
    assert re.fullmatch(r'size = "1280x720"\s+# from file, line 4', setting_line(r.stdout, "size")), r.stdout
    assert re.fullmatch(r'player = "none"\s+# from file, line 7', setting_line(r.stdout, "player")), r.stdout
    assert re.fullmatch(r"port = 8080\s+# from file, line 8", setting_line(r.stdout, "port")), r.stdout
    assert re.fullmatch(r"bitrate = 4000\s+# default", setting_line(r.stdout, "bitrate")), r.stdout


def test_show_output_is_itself_a_valid_config(pixelpass_bin, tmp_path):
    first = tmp_path / "first.toml"
    first.write_text('[host]\nsource = "test"\nbind = "127.0.0.1:4433"\n[nat]\nstun = ["a.example:3478"]\n')
    r1 = run(pixelpass_bin, "config", "show", env={"PIXELPASS_CONFIG": str(first)})
    assert r1.returncode == 0, describe(r1)
    second = tmp_path / "second.toml"
    second.write_text(r1.stdout)
    r2 = run(pixelpass_bin, "config", "show", env={"PIXELPASS_CONFIG": str(second)})
    assert r2.returncode == 0, describe(r2)
    assert re.fullmatch(r'source = "test"\s+# from file, line \d+', setting_line(r2.stdout, "source"))
    assert re.fullmatch(r'stun = \["a\.example:3478"\]\s+# from file, line \d+', setting_line(r2.stdout, "stun"))


def test_show_on_malformed_toml_exits_2_with_path_and_line(pixelpass_bin, tmp_path):
    config = tmp_path / "broken.toml"
    config.write_text("[host]\nfps = 30\nbitrate = \n")
    r = run(pixelpass_bin, "config", "show", env={"PIXELPASS_CONFIG": str(config)})
    assert r.returncode == 2, describe(r)
    assert r.stdout == "", describe(r)
    assert re.search(rf"{re.escape(str(config))}:3(:\d+)?: not valid TOML", r.stderr), describe(r)


def test_show_on_an_invalid_value_exits_2_with_the_exact_problem(pixelpass_bin, tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text('[host]\n\nfps = "fast"\n')
    r = run(pixelpass_bin, "config", "show", env={"PIXELPASS_CONFIG": str(config)})
    assert r.returncode == 2, describe(r)
    assert f'{config}:3: fps must be an integer between 1 and 120 (got "fast")' in r.stderr, describe(r)


def test_show_suggests_the_key_that_was_meant(pixelpass_bin, tmp_path):
    config = tmp_path / "typo.toml"
    config.write_text("[host]\nbitrte = 5000\n[hots]\n")
    r = run(pixelpass_bin, "config", "show", env={"PIXELPASS_CONFIG": str(config)})
    assert r.returncode == 2, describe(r)
    assert f'{config}:2: unknown key "bitrte" in [host] (did you mean "bitrate"?)' in r.stderr, describe(r)
    assert f"{config}:3: unknown table [hots] (did you mean [host]?)" in r.stderr, describe(r)


def test_show_on_a_directory_says_it_cannot_read_it(pixelpass_bin, tmp_path):
    r = run(pixelpass_bin, "config", "show", env={"PIXELPASS_CONFIG": str(tmp_path)})
    assert r.returncode == 2, describe(r)
    assert f"{tmp_path}: cannot read the config file: Is a directory" in r.stderr, describe(r)


# ---------------------------------------------------------------- config init


def test_init_writes_a_template_once(pixelpass_bin, tmp_path):
    path = tmp_path / "xdg" / "pixelpass" / "config.toml"
    env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    r = run(pixelpass_bin, "config", "init", home=tmp_path, env=env)
    assert r.returncode == 0, describe(r)
    assert r.stdout == f"{path}\n", describe(r)
    template = path.read_text()
    assert "[host]" in template and "# fps = 30" in template, template

    # The template changes nothing: every value is still a default.
    shown = run(pixelpass_bin, "config", "show", home=tmp_path, env=env)
    assert shown.returncode == 0, describe(shown)
    assert "from file" not in shown.stdout, shown.stdout

    # A second init refuses and leaves the (edited) file alone.
    path.write_text(template + "\n# edited\n")
    again = run(pixelpass_bin, "config", "init", home=tmp_path, env=env)
    assert again.returncode == 1, describe(again)
    assert "already exists" in again.stderr, describe(again)
    assert path.read_text().endswith("# edited\n")


# ---------------------------------------------------------------- completions


def completion_script(binary: Path, shell: str) -> str:
    r = run(binary, "completions", shell)
    assert r.returncode == 0, describe(r)
    assert r.stdout.strip(), f"empty {shell} completion script"
    return r.stdout


def test_bash_completion_is_sourceable(pixelpass_bin, tmp_path):
    # `source <(pixelpass …)` as the help suggests, with pixelpass on PATH.
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "pixelpass").symlink_to(pixelpass_bin)
    env = {"PATH": f"{bindir}:{os.environ.get('PATH', '/usr/bin:/bin')}", "HOME": str(tmp_path)}
    r = subprocess.run(["bash", "-c", "source <(pixelpass completions bash) && complete -p pixelpass"],
                       capture_output=True, text=True, env=env, timeout=20)
    assert r.returncode == 0, describe(r)
    assert re.search(r"complete .*-F \S+ pixelpass$", r.stdout.strip()), describe(r)


def test_bash_completion_offers_the_subcommands(pixelpass_bin, tmp_path):
    script = tmp_path / "pixelpass.bash"
    script.write_text(completion_script(pixelpass_bin, "bash"))
    probe = f"""
    source {script}
    COMP_WORDS=(pixelpass con); COMP_CWORD=1; COMP_LINE="pixelpass con"; COMP_POINT=${{#COMP_LINE}}
    func=$(complete -p pixelpass | sed -E 's/.*-F ([^ ]+) .*/\\1/')
    "$func" pixelpass con pixelpass
    printf '%s\\n' "${{COMPREPLY[@]}}"
    """
    r = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, timeout=20,
                       env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path)})
    assert r.returncode == 0, describe(r)
    assert "config" in r.stdout.split(), describe(r)


@pytest.mark.parametrize("shell,check", [
    ("zsh", ["zsh", "-n"]),
    ("fish", ["fish", "--no-execute"]),
])
def test_zsh_and_fish_completions_are_valid_syntax(pixelpass_bin, tmp_path, shell, check):
    if shutil.which(check[0]) is None:
        pytest.skip(f"{check[0]} is not installed (scripts/bootstrap installs it)")
    script = tmp_path / f"pixelpass.{shell}"
    script.write_text(completion_script(pixelpass_bin, shell))
    r = subprocess.run([*check, str(script)], capture_output=True, text=True, timeout=20)
    assert r.returncode == 0, f"{shell} rejects the completion script:\n{describe(r)}"
    assert "pixelpass" in script.read_text()


def test_completions_for_an_unknown_shell_is_a_usage_error(pixelpass_bin):
    r = run(pixelpass_bin, "completions", "powershell")
    assert r.returncode == 2, describe(r)
    assert "bash" in r.stderr and "zsh" in r.stderr and "fish" in r.stderr, describe(r)
