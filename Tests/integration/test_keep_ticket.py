"""`pixelpass host --keep-ticket`: the host's key and ticket secret are kept
under $XDG_CONFIG_HOME/pixelpass, so a ticket stays valid for later shares;
`--new-ticket` replaces them; without the flag nothing is written. Every run
gets its own HOME and XDG_CONFIG_HOME in a temporary folder."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

from conftest import FAST, HostProcess, free_udp_port

KEPT_NOTICE = "this ticket stays valid for later shares (--keep-ticket); --new-ticket replaces it"


def environment(tmp_path: Path) -> dict:
    env = dict(os.environ, HOME=str(tmp_path / "home"), XDG_CONFIG_HOME=str(tmp_path / "xdg"))
    env.pop("PIXELPASS_CONFIG", None)
    return env


def store(tmp_path: Path) -> Path:
    return tmp_path / "xdg" / "pixelpass"


def start_host(procs, env: dict, *extra: str, port: int | None = None) -> HostProcess:
    port = port or free_udp_port()
    argv = procs.pixelpass_argv("host", "--source", "test", "--bind", f"127.0.0.1:{port}", *FAST, "--no-audio",
                                "--output", "json", *extra)
    n = sum(isinstance(p, HostProcess) for p in procs.processes)
    host = procs.spawn(HostProcess, f"host{n + 1}", argv, env=env)
    event = json.loads(host.wait_first_stdout_line(15))
    assert event["event"] == "ticket", f"first JSON line must be the ticket event: {event}\n{host.diag()}"
    host.ticket = event["ticket"]
    host.kept = event["kept"]
    host.info = procs.inspect(host.ticket)
    assert host.info["fingerprint_sha256"] == event["fingerprint"], (host.info, event)
    host.wait_stderr("sharing on", 10)
    return host


def stop(host: HostProcess) -> None:
    rc = host.stop()
    assert rc == 0, f"host did not stop cleanly\n{host.diag()}"


def run(procs, env: dict, *args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(procs.pixelpass_argv(*args), capture_output=True, text=True, env=env, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def describe(r: subprocess.CompletedProcess) -> str:
    return f"exit {r.returncode}\n--- stdout\n{r.stdout}\n--- stderr\n{r.stderr}"


def assert_streams(procs, ticket: str) -> None:
    viewer = procs.start_viewer(ticket)
    reader = procs.http_reader(viewer.url)
    assert reader.wait_bytes(188 * 20, 20), f"no stream through {ticket}\n{procs.diag()}"
    reader.close()
    viewer.stop()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_kept_ticket_survives_restarts(procs, tmp_path):
    env = environment(tmp_path)
    port = free_udp_port()
    first = start_host(procs, env, "--keep-ticket", port=port)
    assert first.kept is True
    assert first.find_stderr(KEPT_NOTICE), first.diag()
    folder = store(tmp_path)
    assert sorted(p.name for p in folder.iterdir()) == ["host-identity.pem", "ticket-secret"]
    assert mode(folder) == 0o700 and mode(tmp_path / "xdg") == 0o700
    assert mode(folder / "host-identity.pem") == 0o600 and mode(folder / "ticket-secret") == 0o600
    assert (folder / "ticket-secret").read_text().strip() == first.secret
    stop(first)

    # Another port: another address in the ticket, the same key and secret.
    second = start_host(procs, env, "--keep-ticket")
    assert second.port != port
    assert (second.fingerprint, second.secret) == (first.fingerprint, first.secret), (first.info, second.info)
    assert_streams(procs, second.ticket)
    stop(second)

    # Back on the first port, the first ticket's very text works again.
    third = start_host(procs, env, "--keep-ticket", port=port)
    assert third.ticket == first.ticket, (first.info, third.info)
    assert_streams(procs, first.ticket)
    stop(third)


def test_new_ticket_replaces_the_key_and_secret_and_keeps_the_new_ones(procs, tmp_path):
    env = environment(tmp_path)
    first = start_host(procs, env, "--keep-ticket")
    stop(first)
    renewed = start_host(procs, env, "--keep-ticket", "--new-ticket")
    assert renewed.kept is True
    assert renewed.fingerprint != first.fingerprint and renewed.secret != first.secret, (first.info, renewed.info)
    assert_streams(procs, renewed.ticket)
    stop(renewed)
    after = start_host(procs, env, "--keep-ticket")
    assert (after.fingerprint, after.secret) == (renewed.fingerprint, renewed.secret), (renewed.info, after.info)
    stop(after)


def test_without_the_flag_every_share_is_new_and_nothing_is_written(procs, tmp_path):
    env = environment(tmp_path)
    folder = store(tmp_path)
    folder.mkdir(parents=True)
    (folder / "config.toml").write_text("[host]\nfps = 30\n")
    one = start_host(procs, env)
    stop(one)
    two = start_host(procs, env)
    stop(two)
    assert one.kept is False and two.kept is False
    assert not one.find_stderr(KEPT_NOTICE), one.diag()
    assert one.fingerprint != two.fingerprint and one.secret != two.secret, (one.info, two.info)
    assert sorted(p.name for p in folder.iterdir()) == ["config.toml"]
    assert not (tmp_path / "home" / ".config").exists()  # (GStreamer keeps its registry in ~/.cache)


def test_new_ticket_without_keep_ticket_is_a_usage_error(procs, tmp_path):
    env = environment(tmp_path)
    r = run(procs, env, "host", "--source", "test", "--bind", "127.0.0.1:0", "--new-ticket")
    assert r.returncode == 2, describe(r)
    assert "--new-ticket" in r.stderr and "--keep-ticket" in r.stderr, describe(r)
    assert r.stdout == "", describe(r)
    assert not store(tmp_path).exists()


def test_keep_ticket_in_the_config_file(procs, tmp_path):
    env = environment(tmp_path)
    folder = store(tmp_path)
    folder.mkdir(parents=True)
    (folder / "config.toml").write_text("[host]\nkeep_ticket = true\n")
    shown = run(procs, env, "config", "show")
    assert shown.returncode == 0, describe(shown)
    assert any(line.startswith("keep_ticket = true") and "from file, line 2" in line
               for line in shown.stdout.splitlines()), describe(shown)

    kept = start_host(procs, env)
    assert kept.kept is True and (folder / "ticket-secret").read_text().strip() == kept.secret
    stop(kept)
    again = start_host(procs, env, "--new-ticket")  # the file's keep_ticket is enough for --new-ticket
    assert again.kept is True and again.secret != kept.secret
    stop(again)
    overridden = start_host(procs, env, "--no-keep-ticket")
    assert overridden.kept is False and overridden.secret != again.secret
    stop(overridden)

    (folder / "config.toml").write_text("[host]\nkeep_ticket = \"yes\"\n")
    bad = run(procs, env, "config", "show")
    assert bad.returncode == 2, describe(bad)
    assert "config.toml:2: keep_ticket must be true or false, without quotes (got \"yes\")" in bad.stderr, describe(bad)


def test_config_init_template_offers_keep_ticket(procs, tmp_path):
    env = environment(tmp_path)
    r = run(procs, env, "config", "init")
    assert r.returncode == 0, describe(r)
    assert "# keep_ticket = false" in (store(tmp_path) / "config.toml").read_text()
    shown = run(procs, env, "config", "show")
    assert shown.returncode == 0, describe(shown)
    assert any(line.startswith("keep_ticket = false") for line in shown.stdout.splitlines()), describe(shown)


def test_bad_kept_files_stop_the_host_with_exit_2_and_say_how_to_fix_them(procs, tmp_path):
    env = environment(tmp_path)
    stop(start_host(procs, env, "--keep-ticket"))
    folder = store(tmp_path)
    secret = folder / "ticket-secret"
    identity = folder / "host-identity.pem"
    argv = ["host", "--source", "test", "--bind", "127.0.0.1:0", *FAST, "--no-audio", "--keep-ticket"]

    secret.chmod(0o644)
    r = run(procs, env, *argv)
    assert r.returncode == 2, describe(r)
    assert f"{secret} can be read by other users (mode 0644)" in r.stderr, describe(r)
    assert f"chmod 600 {secret}" in r.stderr and "--new-ticket" in r.stderr, describe(r)
    assert r.stdout == "", describe(r)
    secret.chmod(0o600)

    good = identity.read_text()
    identity.write_text(good.replace("MII", "MIJ"))
    r = run(procs, env, *argv, "--output", "json")
    assert r.returncode == 2, describe(r)
    assert f"the kept ticket {identity} cannot be used" in r.stderr and "--new-ticket" in r.stderr, describe(r)
    events = [json.loads(line) for line in r.stdout.splitlines()]
    assert [e["event"] for e in events] == ["error", "ended"], describe(r)
    assert events[-1]["exit_code"] == 2, describe(r)

    secret.unlink()
    identity.write_text(good)
    r = run(procs, env, *argv)
    assert r.returncode == 2 and f"{secret} cannot be used (it is missing" in r.stderr, describe(r)

    # --new-ticket is the way out it names.
    renewed = start_host(procs, env, "--keep-ticket", "--new-ticket")
    assert mode(secret) == 0o600 and mode(identity) == 0o600
    stop(renewed)
