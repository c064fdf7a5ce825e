"""A hostile local user against a viewer that is playing (issue 15, local
users): everything here runs while a legitimate player reads the viewer's
URL, and asserts what that player, the relay and the process table show.

* The relay's port without its token (or with a wrong one) gives 404.
* Slowloris connections are closed within the header timeout and do not
  stop the player.
* A burst of GETs with the token opens at most the relay's stream cap at the
  host, and the viewer serves new players afterwards.
* `view -` keeps the ticket out of `ps` and `/proc/*/cmdline`.
* `config init` writes the config 0600 in a 0700 folder.

Loopback only; every wait has a timeout.
"""

from __future__ import annotations

import os
import secrets
import select
import socket
import stat
import subprocess
import threading
import time
from pathlib import Path

import pytest

from pixelpass_integration_conftest import VIEWER_URL, ViewerProcess, http_get

# RelayLimits in Sources/PixelpassCore/Viewer/RelayAdmission.swift.
HEADER_TIMEOUT = 5.0
MAX_STREAMS = 4
# MPEG-TS packets start with this byte.
TS_SYNC = 0x47


def _watching(procs, start_host):
    """A host, a viewer, and a player that is receiving video through the
    viewer's URL."""
    host = start_host()
    viewer = procs.start_viewer(host.ticket)
    player = procs.http_reader(viewer.url)
    assert player.wait_bytes(100_000, 15), f"the legitimate player got no video\n{procs.diag()}"
    assert player.status == 200 and player.head[0] == TS_SYNC, player.describe()
    return host, viewer, player


def _keeps_playing(procs, player, what: str, count: int = 100_000, timeout: float = 10.0) -> None:
    before = player.body_bytes
    assert player.wait_bytes(before + count, timeout) and not player.ended, \
        f"the legitimate player stalled {what}: {before} → {player.body_bytes} bytes\n{procs.diag()}"


def _serves_a_new_player(procs, viewer, what: str) -> None:
    fresh = procs.http_reader(viewer.url)
    assert fresh.wait_bytes(100_000, 15), f"a new player got no video {what}\n{fresh.describe()}\n{procs.diag()}"
    assert fresh.status == 200 and fresh.head[0] == TS_SYNC, fresh.describe()
    fresh.close()


def test_the_relay_answers_404_without_its_token(procs, start_host):
    _, viewer, player = _watching(procs, start_host)
    port = viewer.local_port
    token = VIEWER_URL.fullmatch(viewer.url).group(2)
    wrong = secrets.token_hex(16)
    for path in ["/", "/stream", "/stream.ts", "/favicon.ico", f"/{wrong}/", f"/{wrong}/stream.ts",
                 f"/{token[:-1]}/", f"/{token}x/", f"/{token.upper()}/", f"/x/{token}/"]:
        status, head, body = http_get(f"http://127.0.0.1:{port}{path}", timeout=5)
        assert status == 404, f"GET {path}: {status}\n{head}"
        assert token.encode() not in body and token not in head, f"GET {path} gave the token away: {head}\n{body!r}"
        assert TS_SYNC not in body[:1], f"GET {path} got video"
    _keeps_playing(procs, player, "after the 404s")
    # The right token still works: the 404s were the token's doing.
    status, head, body = http_get(viewer.url, timeout=5, max_body=2048)
    assert status == 200 and body[:1] == bytes([TS_SYNC]), f"{status}\n{head}"


def test_slowloris_connections_are_closed_within_the_header_timeout(procs, start_host):
    _, viewer, player = _watching(procs, start_host)
    sockets = []
    for _ in range(20):
        s = socket.create_connection(("127.0.0.1", viewer.local_port), timeout=5)
        s.sendall(f"GET {viewer.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())
        s.setblocking(False)
        sockets.append(s)
    started = time.monotonic()
    closed_at: dict[int, float] = {}
    next_trickle = started + 1
    # A header line a second, never the blank line that ends the head.
    while len(closed_at) < len(sockets) and time.monotonic() < started + HEADER_TIMEOUT + 5:
        now = time.monotonic()
        if now >= next_trickle:
            next_trickle += 1
            for i, s in enumerate(sockets):
                if i not in closed_at:
                    try:
                        s.send(b"X-Slow: 1\r\n")
                    except OSError:
                        closed_at[i] = time.monotonic()
        open_ones = [s for i, s in enumerate(sockets) if i not in closed_at]
        readable, _, _ = select.select(open_ones, [], [], 0.1)
        for s in readable:
            i = sockets.index(s)
            try:
                if s.recv(4096) == b"":
                    closed_at[i] = time.monotonic()
            except OSError:
                closed_at[i] = time.monotonic()
    for s in sockets:
        s.close()
    assert len(closed_at) == len(sockets), \
        f"{len(sockets) - len(closed_at)} of {len(sockets)} slowloris connections still open after " \
        f"{HEADER_TIMEOUT + 5:.0f} s\n{procs.diag()}"
    latest = max(closed_at.values()) - started
    earliest = min(closed_at.values()) - started
    assert latest <= HEADER_TIMEOUT + 1.5, f"slowloris lasted {latest:.1f} s, the header timeout is {HEADER_TIMEOUT} s"
    assert earliest >= HEADER_TIMEOUT - 1.5, f"closed after {earliest:.1f} s: sooner than the header timeout?"
    _keeps_playing(procs, player, "after the slowloris connections")
    _serves_a_new_player(procs, viewer, "after the slowloris connections")


def _burst_get(url_path: str, port: int, results: list, index: int, release: threading.Event) -> None:
    """One GET that holds its connection until `release` (so the relay's
    streams stay open while the burst runs), then closes."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.settimeout(5)
            s.sendall(f"GET {url_path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            buf = b""
            while b"\r\n\r\n" not in buf:
                chunk = s.recv(4096)
                if not chunk:
                    break
                buf += chunk
            if not buf:
                results[index] = "error: closed without an answer"
                return
            head, _, body = buf.partition(b"\r\n\r\n")
            results[index] = head.decode("latin-1") + "\n" + body[:200].decode("latin-1")
            release.wait(20)
    except OSError as e:
        results[index] = f"error: {e!r}"


def test_a_burst_of_gets_with_the_token_opens_at_most_the_stream_cap(procs, start_host):
    _, viewer, player = _watching(procs, start_host)
    results: list = [None] * 100
    release = threading.Event()
    threads = [threading.Thread(target=_burst_get, args=(viewer.path, viewer.local_port, results, i, release),
                                daemon=True) for i in range(100)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(r is None for r in results):
        time.sleep(0.1)
    _keeps_playing(procs, player, "during the burst")
    release.set()
    for t in threads:
        t.join(10)
    answered = [r for r in results if r is not None]
    assert len(answered) == 100, f"{100 - len(answered)} burst GETs never got an answer or an error"
    streams = [r for r in answered if r.startswith("HTTP/1.1 200")]
    too_many = [r for r in answered if r.startswith("HTTP/1.1 503") and "Too many players" in r]
    assert len(streams) <= MAX_STREAMS - 1, \
        f"{len(streams)} burst GETs streamed at once beside the player; the relay opens at most {MAX_STREAMS}"
    assert too_many, f"no burst GET was told why it was refused: {answered[:5]}"
    others = [r for r in answered if r not in streams and not r.startswith("HTTP/1.1 503")]
    assert all(r.startswith("error:") for r in others), f"unexpected answers: {others[:5]}"
    _keeps_playing(procs, player, "after the burst")
    _serves_a_new_player(procs, viewer, "after the burst")


def _cmdlines() -> str:
    """Every process's command line, as another local user reads it."""
    text = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                text.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace"))
            except OSError:
                pass
    return "\n".join(text)


def _ps() -> str:
    return subprocess.run(["ps", "-eww", "-o", "args"], capture_output=True, text=True, timeout=10).stdout


@pytest.mark.parametrize("way", ["environment", "stdin", "shorthand"])
def test_a_ticket_given_as_dash_is_not_on_any_command_line(procs, start_host, way):
    host = start_host()
    argv = procs.pixelpass_argv(*(["-"] if way == "shorthand" else ["view", "-"]), "--player", "none")
    env = dict(os.environ)
    env.pop("PIXELPASS_TICKET", None)
    if way == "environment":
        env["PIXELPASS_TICKET"] = host.ticket
    viewer = procs.spawn(ViewerProcess, f"viewer-{way}", argv, env=env, stdin_pipe=(way != "environment"))
    if way != "environment":
        # As a chat app might wrap it.
        viewer.send_line(f"  `{host.ticket}`.")
        viewer.popen.stdin.close()
    viewer.url = viewer.wait_first_stdout_line(15, context=procs.diag)
    assert VIEWER_URL.fullmatch(viewer.url), f"{viewer.url!r}\n{procs.diag()}"
    reader = procs.http_reader(viewer.url)
    assert reader.wait_bytes(50_000, 15), f"the viewer given `-` does not play\n{procs.diag()}"

    secret = host.secret
    ticket_body = host.ticket.split("-", 1)[1]
    for name, table in [("/proc/*/cmdline", _cmdlines()), ("ps", _ps())]:
        assert ticket_body not in table and secret not in table, f"the ticket is readable in {name}"
    # What the scan saw of this viewer: its command line, without the ticket.
    own = Path(f"/proc/{viewer.pid}/cmdline").read_bytes().split(b"\0")[:-1]
    assert [a.decode() for a in own] == argv, own

    # Control: the same scan sees a ticket that is given as an argument.
    exposed = procs.start_viewer(host.ticket)
    assert ticket_body in _cmdlines() and ticket_body in _ps(), "the scan cannot see command lines"
    exposed.stop()


def test_config_init_writes_the_config_0600_in_a_0700_folder(pixelpass_bin, tmp_path):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "LANG": "C.UTF-8",
           "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    # A permissive umask: the modes must not depend on the user's.
    r = subprocess.run([str(pixelpass_bin), "config", "init"], capture_output=True, text=True, env=env, timeout=20,
                       preexec_fn=lambda: os.umask(0o000))
    assert r.returncode == 0, r.stderr
    config = tmp_path / "xdg" / "pixelpass" / "config.toml"
    assert config.is_file(), r.stdout + r.stderr
    assert stat.S_IMODE(config.stat().st_mode) == 0o600, oct(config.stat().st_mode)
    assert stat.S_IMODE(config.parent.stat().st_mode) == 0o700, oct(config.parent.stat().st_mode)
