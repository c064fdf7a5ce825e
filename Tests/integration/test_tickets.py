"""Tickets on the command line: `ticket inspect`, and bad tickets and flags
rejected quickly (exit 2) with a precise message and without any network
traffic.

The "no traffic" check: a host is started on 127.0.0.1:P and stopped, then
the test binds its own UDP socket on P. Every damaged version of that host's
ticket is fed to `view` / the shorthand; the socket must receive nothing. A
control test shows the intact ticket does make the viewer send to P.
"""

from __future__ import annotations

import json
import os
import pty
import re
import socket
import subprocess
import time

import pytest

from conftest import ProcessRegistry, ViewerProcess, free_udp_port, pixelpass_binary

PREFIX = "pixelpass1-"
ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"


class Trap:
    """A stopped host's ticket plus a UDP socket bound on its port."""

    def __init__(self, ticket: str, port: int, info: dict, sock: socket.socket):
        self.ticket = ticket
        self.port = port
        self.info = info
        self.sock = sock

    def drain(self) -> list[bytes]:
        got = []
        self.sock.setblocking(False)
        while True:
            try:
                got.append(self.sock.recv(65536))
            except BlockingIOError:
                return got

    def wait_datagram(self, timeout: float) -> bytes | None:
        self.sock.settimeout(timeout)
        try:
            return self.sock.recv(65536)
        except socket.timeout:
            return None


@pytest.fixture(scope="module")
def trap():
    registry = ProcessRegistry(pixelpass_binary())
    sock = None
    try:
        port = free_udp_port()
        host = registry.start_host(bind=f"127.0.0.1:{port}")
        rc = host.stop()
        assert rc == 0, f"host did not stop cleanly\n{host.diag()}"
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", port))
        yield Trap(host.ticket, port, host.info, sock)
    finally:
        registry.teardown()
        if sock is not None:
            sock.close()


def run_pixelpass(*args: str, timeout: float = 10.0):
    start = time.monotonic()
    try:
        r = subprocess.run([str(pixelpass_binary()), *args], capture_output=True, text=True,
                           timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"pixelpass {' '.join(args)} did not exit within {timeout} s; "
                             f"stderr so far: {e.stderr!r}")
    return r, time.monotonic() - start


# --------------------------------------------------------------------------
# ticket inspect


def test_ticket_inspect_fields(procs):
    port = free_udp_port()
    host = procs.start_host(bind=f"127.0.0.1:{port}")

    r, _ = run_pixelpass("ticket", "inspect", host.ticket)

    assert r.returncode == 0, f"inspect failed: {r.stderr}"
    info = json.loads(r.stdout)
    assert list(info) == ["version", "fingerprint_sha256", "secret", "addresses", "reflexive", "relay"], r.stdout
    assert info["version"] == 1
    assert re.fullmatch(r"[0-9a-f]{64}", info["fingerprint_sha256"]), info
    assert re.fullmatch(r"[0-9a-f]{32,}", info["secret"]), "secret must be hex of at least 128 bits"
    assert info["addresses"] == [f"127.0.0.1:{port}"], info
    assert info["relay"] is None
    assert info["reflexive"] == [], "a loopback host asks no STUN server"
    assert r.stdout.startswith("{\n  "), "expected pretty-printed JSON"

    # Fresh identity and secret per host.
    other = procs.start_host()
    assert other.fingerprint != info["fingerprint_sha256"] and other.secret != info["secret"]


def test_ticket_inspect_secret_and_address_work(procs, tmp_path):
    """What inspect prints is what the host uses: a third-party HTTP/3
    client reaches /v1/info at the listed address with the listed secret."""
    host = procs.start_host()
    out = tmp_path / "dl"
    out.mkdir()
    url = f"https://{host.address}/v1/info?secret={host.secret}"
    result = procs.run_tool("gtlsclient", ["gtlsclient", "-q", "--exit-on-all-streams-close",
                                           f"--download={out}", "127.0.0.1", str(host.port), url],
                            timeout=10)
    files = list(out.iterdir())
    why = f"\n{result.describe()}\n{procs.diag()}"
    assert result.returncode == 0 and len(files) == 1, "gtlsclient could not fetch /v1/info" + why
    info = json.loads(files[0].read_text())
    assert (info["width"], info["height"], info["video"], info["audio"]) == (640, 360, "h264", "aac"), info


def test_ticket_survives_chat_mangling(trap):
    """Upper case, line wraps and surrounding spaces are tolerated."""
    body = trap.ticket
    mangled = "  " + "\n".join(body.upper()[i:i + 30] for i in range(0, len(body), 30)) + " \n"
    r, _ = run_pixelpass("ticket", "inspect", mangled)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == trap.info


@pytest.mark.parametrize("wrap", [
    "`{}`", "```\n{}\n```", '"{}".', "\u201c{}\u201d", "<{}>", "'{}',", "{}.", "**{}**",
], ids=["backticks", "code-block", "quoted-full-stop", "curly-quotes", "angle-brackets",
        "single-quotes-comma", "full-stop", "bold"])
def test_ticket_pasted_from_a_chat_app_is_read(trap, wrap):
    """Chat apps and people wrap the ticket; every reader unwraps it."""
    r, _ = run_pixelpass("ticket", "inspect", wrap.format(trap.ticket))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == trap.info


def test_wrapped_ticket_goes_on_to_connect(procs, trap):
    """`pixelpass view "`TICKET`".` connects: the trap sees the viewer's packets."""
    trap.drain()
    viewer = procs.start_viewer(f"`{trap.ticket}`.", expect_url=False)
    packet = trap.wait_datagram(5)
    viewer.kill_group()
    assert packet is not None, f"no datagram from a viewer given a wrapped ticket\n{viewer.diag()}"


# --------------------------------------------------------------------------
# `-`: the ticket from $PIXELPASS_TICKET or stdin, out of sight of `ps`


def run_dash(*args: str, stdin=subprocess.DEVNULL, input: str | None = None, ticket_env: str | None = None,
             timeout: float = 10.0):
    env = {k: v for k, v in os.environ.items() if k != "PIXELPASS_TICKET"}
    if ticket_env is not None:
        env["PIXELPASS_TICKET"] = ticket_env
    try:
        return subprocess.run([str(pixelpass_binary()), *args], capture_output=True, text=True, timeout=timeout,
                              env=env, **({"input": input} if input is not None else {"stdin": stdin}))
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"pixelpass {' '.join(args)} did not exit within {timeout} s; stderr: {e.stderr!r}")


@pytest.mark.parametrize("given", ["stdin", "stdin-wrapped", "environment", "environment-over-stdin"])
def test_ticket_inspect_dash_reads_the_ticket(trap, given):
    if given == "stdin":
        r = run_dash("ticket", "inspect", "-", input=trap.ticket + "\n")
    elif given == "stdin-wrapped":
        r = run_dash("ticket", "inspect", "-", input=f"  \u201c{trap.ticket}\u201d.\nsecond line ignored\n")
    elif given == "environment":
        r = run_dash("ticket", "inspect", "-", ticket_env=f"`{trap.ticket}`")
    else:
        r = run_dash("ticket", "inspect", "-", ticket_env=trap.ticket, input="not a ticket\n")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == trap.info


@pytest.mark.parametrize("form", [["view", "-"], ["-"], ["ticket", "inspect", "-"]], ids=" ".join)
@pytest.mark.parametrize("case, expected", [
    ("empty-stdin", r"`-` found no ticket on standard input"),
    ("blank-line", r"`-` found no ticket on standard input"),
    ("blank-variable", r"`-` found no ticket in \$PIXELPASS_TICKET"),
    ("not-a-ticket", r"the ticket on standard input: .*pixelpass1-"),
    ("terminal", r"`-` reads the ticket from \$PIXELPASS_TICKET or standard input.*pipe the ticket in"),
])
def test_dash_without_a_ticket_exits_2_saying_why(trap, form, case, expected):
    trap.drain()
    if case == "terminal":
        leader, follower = pty.openpty()
        try:
            r = run_dash(*form, stdin=follower)
        finally:
            os.close(leader)
            os.close(follower)
    elif case == "empty-stdin":
        r = run_dash(*form, input="")
    elif case == "blank-line":
        r = run_dash(*form, input="   \n" + trap.ticket + "\n")
    elif case == "blank-variable":
        r = run_dash(*form, ticket_env="   ", input=trap.ticket + "\n")
    else:
        r = run_dash(*form, input="hello there\n")
    what = f"pixelpass {' '.join(form)} ({case}): exit {r.returncode}\nstdout: {r.stdout!r}\nstderr: {r.stderr}"
    assert r.returncode == 2, what
    assert r.stdout == "", what
    assert re.search(r"(?m)^pixelpass: error: " + expected, r.stderr, re.DOTALL), f"expected /{expected}/\n" + what
    assert trap.drain() == [], "no packet may leave for a missing ticket\n" + what


def test_view_dash_goes_on_to_connect(procs, trap):
    """`pixelpass - < ticket` connects: the trap sees the viewer's packets."""
    trap.drain()
    viewer = procs.spawn(ViewerProcess, "viewer-dash", procs.pixelpass_argv("-", "--player", "none"), stdin_pipe=True)
    viewer.send_line(trap.ticket)
    packet = trap.wait_datagram(5)
    viewer.kill_group()
    assert packet is not None, f"no datagram from a viewer given its ticket on stdin\n{viewer.diag()}"


# --------------------------------------------------------------------------
# bad tickets


def _substitute(ticket: str, index: int) -> str:
    old = ticket[index]
    new = ALPHABET[(ALPHABET.index(old) + 7) % len(ALPHABET)]
    return ticket[:index] + new + ticket[index + 1:]


def _bad_tickets(ticket: str):
    """(id, damaged ticket, regex the error must match)."""
    body_len = len(ticket) - len(PREFIX)
    cases = [
        ("garbage", "hello", r"not a pixelpass ticket"),
        ("empty", "", r"ticket is empty"),
        ("blank", "   ", r"ticket is empty"),
        ("version2", "pixelpass2-abc", r"format version 2\b.*reads only version 1"),
        ("version2-real-body", "pixelpass2-" + ticket[len(PREFIX):], r"format version 2\b"),
        ("prefix-only", PREFIX, r"truncated"),
    ]
    for label, cut in (("5chars", 5), ("half", body_len // 2), ("minus3", body_len - 3),
                       ("minus1", body_len - 1)):
        cases.append((f"truncated-{label}", ticket[:len(PREFIX) + cut], r"truncated \(got \d+ of \d+ bytes\)"))
    for where, index in (("start", len(PREFIX)), ("middle", len(PREFIX) + body_len // 2),
                         ("end", len(ticket) - 1)):
        cases.append((f"typo-{where}", _substitute(ticket, index), r"typo.*checksum"))
    mid = len(PREFIX) + body_len // 3
    for label, char, shown in (("digit1", "1", '"1"'), ("digit8", "8", '"8"'), ("bang", "!", '"!"'),
                               ("e-acute", "é", "U+00E9")):
        damaged = ticket[:mid] + char + ticket[mid + 1:]
        cases.append((f"char-{label}", damaged,
                      re.escape(shown) + rf" at position {mid + 1}\b.*only letters and the digits 2 to 7"))
    return cases


FORMS = {
    "view": lambda t: ["view", t, "--player", "none"],
    "shorthand": lambda t: [t, "--player", "none"],
    "inspect": lambda t: ["ticket", "inspect", t],
}

# Case ids are computed from a placeholder, the tickets themselves from the trap.
_CASE_IDS = [c[0] for c in _bad_tickets(PREFIX + "a" * 110)]


@pytest.mark.parametrize("form", list(FORMS))
@pytest.mark.parametrize("case_id", _CASE_IDS)
def test_bad_ticket_exits_2_quickly_without_traffic(trap, form, case_id):
    cases = {c[0]: c for c in _bad_tickets(trap.ticket)}
    _, damaged, expected = cases[case_id]
    trap.drain()

    r, elapsed = run_pixelpass(*FORMS[form](damaged))

    what = f"pixelpass {form} with {case_id} ticket {damaged!r}: exit {r.returncode} after {elapsed:.2f} s\n" \
           f"stdout: {r.stdout!r}\nstderr: {r.stderr}"
    assert r.returncode == 2, what
    assert elapsed < 2.0, what
    assert r.stdout == "", "nothing may be printed on stdout\n" + what
    assert re.search(r"(?m)^pixelpass: error: ", r.stderr), what
    assert re.search(expected, r.stderr, re.IGNORECASE | re.DOTALL), f"expected /{expected}/\n" + what
    time.sleep(0.2)
    sent = trap.drain()
    assert sent == [], f"{len(sent)} datagram(s) reached the ticket's address\n" + what


def test_error_messages_are_distinct(trap):
    """Each kind of damage tells its own story (not one generic message)."""
    first_lines = {}
    for case_id, damaged, _ in _bad_tickets(trap.ticket):
        kind = case_id.split("-")[0]
        r, _ = run_pixelpass("ticket", "inspect", damaged)
        first_lines.setdefault(kind, r.stderr.splitlines()[0] if r.stderr else "")
    kinds = ["garbage", "empty", "version2", "truncated", "typo", "char"]
    messages = [re.sub(r"\d+", "N", first_lines[k]) for k in kinds]
    assert len(set(messages)) == len(kinds), "\n".join(f"{k}: {m}" for k, m in zip(kinds, messages))


def test_intact_ticket_does_reach_the_address(procs, trap):
    """Control for the no-traffic check: the intact ticket makes the viewer
    send QUIC packets to the ticket's port, which the trap socket sees."""
    trap.drain()
    viewer = procs.start_viewer(trap.ticket, expect_url=False)
    packet = trap.wait_datagram(5)
    viewer.kill_group()
    assert packet is not None, f"no datagram arrived from a viewer with an intact ticket\n{viewer.diag()}"
    # A QUIC v1 long-header packet (Initial).
    assert packet[0] & 0xC0 == 0xC0 and packet[1:5] == b"\x00\x00\x00\x01", packet[:16].hex()


# --------------------------------------------------------------------------
# bad flags


@pytest.mark.parametrize("args, flag", [
    (["host", "--size", "12x"], "--size"),
    (["host", "--size", "641x360"], "--size"),
    (["host", "--fps", "0"], "--fps"),
    (["host", "--bind", "nonsense"], "--bind"),
    (["host", "--bind", "127.0.0.1:99999"], "--bind"),
    (["host", "--bitrate", "5"], "--bitrate"),
    (["host", "--max-viewers", "0"], "--max-viewers"),
    (["view", "TICKET", "--port", "70000"], "--port"),
    (["TICKET", "--port", "70000"], "--port"),
    (["view", "TICKET", "--player", "winamp"], "--player"),
], ids=lambda v: v if isinstance(v, str) else " ".join(v))
def test_bad_flag_exits_2_naming_the_flag(trap, args, flag):
    args = [trap.ticket if a == "TICKET" else a for a in args]
    trap.drain()

    r, elapsed = run_pixelpass(*args)

    what = f"pixelpass {' '.join(args)}: exit {r.returncode} after {elapsed:.2f} s\n" \
           f"stdout: {r.stdout!r}\nstderr: {r.stderr}"
    assert r.returncode == 2, what
    assert elapsed < 2.0, what
    assert r.stdout == "", what
    first = r.stderr.splitlines()[0] if r.stderr else ""
    assert first.startswith("pixelpass: error: ") and flag in first, f"error should name {flag}\n" + what
    time.sleep(0.1)
    assert trap.drain() == [], "a rejected command sent datagrams\n" + what
