"""Who watches: viewer names, the host's approval (--approve), and a kick
that keeps the viewer out for the rest of the share (its lasting key, kept
in its config folder, comes back with it)."""

from __future__ import annotations

import json
import os
import re
import time

from conftest import FAST, HostProcess, pixelpass_binary


def _json_host(procs, *extra, stdin_pipe=False):
    argv = procs.pixelpass_argv("host", "--source", "test", "--bind", "127.0.0.1:0", *FAST, "--no-audio",
                                "--output", "json", *extra)
    host = procs.spawn(HostProcess, "json-host", argv, stdin_pipe=stdin_pipe)
    first = json.loads(host.wait_first_stdout_line(15))
    assert first["event"] == "ticket", first
    host.ticket = first["ticket"]
    return host


def _events(host, name: str) -> list[dict]:
    out = []
    for line in host.stdout_lines:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if event.get("event") == name:
            out.append(event)
    return out


def _wait_event(host, name: str, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = _events(host, name)
        if found:
            return found[-1]
        time.sleep(0.1)
    raise AssertionError(f"no {name} event within {timeout} s\n{host.diag()}")


def _home(tmp_path, who: str) -> dict:
    home = tmp_path / who
    home.mkdir()
    return {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}


def test_the_viewers_name_is_shown_beside_its_id(procs, tmp_path):
    host = _json_host(procs)
    viewer = procs.start_viewer(host.ticket, "--name", "alice", env=_home(tmp_path, "a"))
    joined = _wait_event(host, "viewer_joined", 10)
    assert joined["name"] == "alice" and re.fullmatch(r"[0-9a-f]{8}", joined["viewer"]), joined
    assert host.wait_stderr(f"alice ({joined['viewer']})", 10), host.diag()
    stats = _wait_event(host, "stats", 5)
    assert [v["name"] for v in stats["viewers"]] == ["alice"], stats
    viewer.kill_group()


def test_a_bad_name_is_refused_before_connecting(procs):
    import subprocess
    host = procs.start_host(audio=False)
    r = subprocess.run([str(pixelpass_binary()), "view", host.ticket, "--name", "x" * 40],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 2 and "--name must be 1 to 32 printable characters" in r.stderr, r.stderr


def test_approval_on_the_terminal_lets_one_in_and_turns_one_away(procs, tmp_path):
    host = procs.start_host("--approve", audio=False, stdin_pipe=True)
    alice = procs.start_viewer(host.ticket, "--name", "alice", expect_url=False, env=_home(tmp_path, "a"))
    asked = host.wait_stderr(re.compile(r"alice \(([0-9a-f]{8})\) from 127\.0\.0\.1:\d+ wants to watch"), 10)
    assert asked, host.diag()
    assert alice.wait_stderr("waiting for the host to let you in", 10), alice.diag()
    assert alice.stdout_lines == [], "no stream before the host's answer"
    host.send_line("a")
    url = alice.wait_first_stdout_line(10, context=procs.diag)
    assert url.startswith("http://127.0.0.1:"), url

    bob = procs.start_viewer(host.ticket, "--name", "bob", expect_url=False, env=_home(tmp_path, "b"))
    asked = host.wait_stderr(re.compile(r"bob \(([0-9a-f]{8})\) from .* wants to watch"), 10)
    assert asked, host.diag()
    bob_id = re.search(r"bob \(([0-9a-f]{8})\)", host.stderr_text).group(1)
    host.send_line(f"deny {bob_id}")
    assert bob.wait_exit(10) == 5, bob.diag()
    assert "the host did not let you in" in bob.stderr_text, bob.diag()
    assert alice.running(), "the allowed viewer keeps watching"


def test_approval_in_json_is_an_event_answered_on_stdin(procs, tmp_path):
    host = _json_host(procs, "--approve", stdin_pipe=True)
    viewer = procs.start_viewer(host.ticket, "--name", "carol", expect_url=False, env=_home(tmp_path, "c"))
    asked = _wait_event(host, "approval_requested", 10)
    assert asked["name"] == "carol", asked
    host.send_line(json.dumps({"command": "allow", "viewer": asked["viewer"]}))
    assert viewer.wait_first_stdout_line(10, context=procs.diag).startswith("http://127.0.0.1:")
    ended = _wait_event(host, "approval_ended", 5)
    assert ended == {**ended, "viewer": asked["viewer"], "answer": "allowed"}, ended
    joined = _wait_event(host, "viewer_joined", 5)
    assert joined["viewer"] == asked["viewer"], joined


def test_a_viewer_that_gives_up_waiting_withdraws_its_question(procs, tmp_path):
    host = _json_host(procs, "--approve", stdin_pipe=True)
    viewer = procs.start_viewer(host.ticket, expect_url=False, env=_home(tmp_path, "d"))
    asked = _wait_event(host, "approval_requested", 10)
    viewer.stop()
    ended = _wait_event(host, "approval_ended", 15)
    assert (ended["viewer"], ended["answer"]) == (asked["viewer"], "withdrawn"), ended


def test_a_new_ticket_keeps_the_watching_and_drops_the_rest(procs, tmp_path):
    host = _json_host(procs, stdin_pipe=True)
    old = host.ticket
    watching = procs.start_viewer(old, env=_home(tmp_path, "w"))
    reader = procs.http_reader(watching.url, read_timeout=30)
    assert reader.wait_bytes(50_000, 15), procs.diag()
    idle = procs.start_viewer(old, env=_home(tmp_path, "i"))  # connected, no player

    host.send_line("new-ticket")
    deadline = time.monotonic() + 10
    replaced = []
    while not replaced and time.monotonic() < deadline:
        replaced = [e for e in _events(host, "ticket") if e.get("replaced")]
        time.sleep(0.1)
    assert replaced, host.diag()
    new = replaced[-1]["ticket"]
    assert new != old and procs.inspect(new)["secret"] != procs.inspect(old)["secret"]

    assert idle.wait_exit(10) == 5, idle.diag()
    late = procs.start_viewer(old, expect_url=False, env=_home(tmp_path, "l"))
    assert late.wait_exit(10) == 5, late.diag()
    assert "refused the ticket's secret" in late.stderr_text, late.diag()
    fresh = procs.start_viewer(new, env=_home(tmp_path, "f"))
    assert fresh.url.startswith("http://127.0.0.1:")

    # The viewer that was watching goes on, host reports (/v1/info) included.
    before = reader.body_bytes
    time.sleep(4)
    assert reader.body_bytes > before + 50_000 and watching.running(), procs.diag()
