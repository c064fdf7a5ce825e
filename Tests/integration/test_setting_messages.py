"""One parser per setting: a bad value says the same thing whether it came
from a flag or from the config file (the flag's message names the flag, the
file's names the key and line). Exit 2 both ways, before anything starts."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

CASES = [
    # flag, value, config line, the shared part of the message
    ("--fps", "500", "fps = 500", "must be an integer between 1 and 120 (got 500)"),
    ("--bitrate", "50", "bitrate = 50", "must be an integer between 100 and 100000, in kbit/s (got 50)"),
    ("--max-viewers", "0", "max_viewers = 0", "must be an integer between 1 and 64 (got 0)"),
    ("--size", "10x10", 'size = "10x10"', 'must be "WIDTHxHEIGHT" with even numbers, width 16-7680 and height 16-4320'),
    ("--encoder", "x265enc", 'encoder = "x265enc"', 'vaapih264enc, nvh264enc, x264enc, openh264enc (got "x265enc"); did you mean "x264enc"?'),
    ("--bind", "1.2.3:4", 'bind = "1.2.3:4"', 'must be "ADDRESS:PORT" with an IP address, e.g. "0.0.0.0:4433" or "[::]:4433" (got "1.2.3:4")'),
]


def run(binary: Path, *args: str, env: dict) -> subprocess.CompletedProcess:
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    base.update(env)
    return subprocess.run([str(binary), *args], capture_output=True, text=True, env=base, timeout=20)


@pytest.mark.parametrize("flag,value,line,message", CASES, ids=[c[0] for c in CASES])
def test_a_flag_and_the_config_file_say_the_same(pixelpass_bin, tmp_path, flag, value, line, message):
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    by_flag = run(pixelpass_bin, "host", "--source", "test", flag, value, env={"PIXELPASS_CONFIG": str(empty)})
    assert by_flag.returncode == 2, by_flag.stderr
    assert f"error: {flag} " in by_flag.stderr and message in by_flag.stderr, by_flag.stderr
    assert by_flag.stdout == "", "no ticket for a share that cannot start"

    config = tmp_path / "bad.toml"
    config.write_text(f"[host]\n{line}\n")
    by_file = run(pixelpass_bin, "host", "--source", "test", env={"PIXELPASS_CONFIG": str(config)})
    assert by_file.returncode == 2, by_file.stderr
    assert f"{config}:2: " in by_file.stderr and message in by_file.stderr, by_file.stderr


def test_a_good_flag_overrides_a_bad_value_nowhere(pixelpass_bin, tmp_path):
    """The file is checked whole even when a flag would override the key:
    a broken config file is reported, not silently skipped."""
    config = tmp_path / "bad.toml"
    config.write_text("[host]\nfps = 500\n")
    r = run(pixelpass_bin, "host", "--source", "test", "--fps", "30", env={"PIXELPASS_CONFIG": str(config)})
    assert r.returncode == 2, r.stderr
    assert f"{config}:2: fps must be an integer between 1 and 120 (got 500)" in r.stderr, r.stderr
