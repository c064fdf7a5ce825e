"""Router port mapping with pixelpass itself in the lab: a host behind the
miniupnpd router gets its QUIC port forwarded (PCP first; UPnP IGD when PCP
is blocked), the mapped address leads the ticket's public addresses, a
public viewer connects DIRECT, and the mapping is gone once the host exits.
A host behind a router without miniupnpd starts as fast as ever and says
nothing about it outside -v. Each test builds its own lab.

Run: PIXELPASS_BIN=/path/to/pixelpass python3 -m pytest -q Tests/netlab/test_portmap.py"""

from __future__ import annotations

import json
import re
import subprocess
import time

import pytest

from conftest import pixelpass_binary, read_line

FAST = ("--source", "test", "--size", "640x360", "--bitrate", "1000")


def _binary():
    binary = pixelpass_binary()
    if not binary.exists():
        pytest.skip(f"no pixelpass binary at {binary} (set PIXELPASS_BIN or build it)")
    return str(binary)


def _env(tmp_path):
    return {"XDG_CONFIG_HOME": str(tmp_path / "config"), "NO_COLOR": "1", "HOME": str(tmp_path)}


def _tail(path, n=3000):
    try:
        return path.read_text(errors="replace")[-n:]
    except FileNotFoundError:
        return ""


def _start_host(lab, node, tmp_path, verbose=True):
    stun_ip, stun_port = lab.stun_address()
    argv = [_binary(), "host", *FAST, "--bind", "0.0.0.0:0", "--stun", f"{stun_ip}:{stun_port}", "--output", "json"]
    if verbose:
        argv.insert(2, "-v")
    started = time.monotonic()
    host = lab.popen(node, argv, env=_env(tmp_path), stdout=subprocess.PIPE,
                     stderr=open(tmp_path / "host.err", "wb"), bufsize=0)
    event = json.loads(read_line(host, 20, "pixelpass host"))
    assert event["event"] == "ticket", event
    return host, event["ticket"], time.monotonic() - started


def _inspect(ticket):
    r = subprocess.run([_binary(), "ticket", "inspect", ticket], capture_output=True, text=True, timeout=10)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def _stop(proc, timeout=15):
    if proc.poll() is None:
        proc.send_signal(2)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError("pixelpass did not stop within 15 s of SIGINT")


def _router_mappings(lab, peer):
    """UDP mappings miniupnpd holds (one table for PCP, NAT-PMP and UPnP), as
    `upnpc -i -l` lists them from the peer's namespace: {external_port: internal}."""
    out = lab.run(peer, ["upnpc", "-i", "-l"], timeout=30).stdout
    return {int(m.group(1)): m.group(2) for m in re.finditer(r"^\s*\d+\s+UDP\s+(\d+)->(\S+)", out, re.M)}


def _wait_gone(lab, peer, port, seconds=5):
    deadline = time.monotonic() + seconds
    while True:
        mappings = _router_mappings(lab, peer)
        if port not in mappings or time.monotonic() > deadline:
            return mappings
        time.sleep(0.3)


def _decode_30_frames(lab, node, ticket, tmp_path):
    viewer = lab.popen(node, [_binary(), "view", ticket, "--player", "none", "--output", "json"], env=_env(tmp_path),
                       stdout=subprocess.PIPE, stderr=open(tmp_path / "viewer.err", "wb"), bufsize=0)
    try:
        first = json.loads(read_line(viewer, 20, "pixelpass view"))
        assert first["event"] == "listening", f"{first} / {_tail(tmp_path / 'viewer.err')}"
        path = json.loads(read_line(viewer, 5, "pixelpass view"))
        assert path["event"] == "path_changed", path
        ffmpeg = lab.run(node, ["ffmpeg", "-nostdin", "-v", "error", "-probesize", "65536", "-analyzeduration", "200000",
                                "-i", first["url"], "-frames:v", "30", "-f", "null", "-"], timeout=60)
        assert ffmpeg.returncode == 0 and not ffmpeg.stderr.strip(), \
            f"ffmpeg {ffmpeg.returncode}: {ffmpeg.stderr}\n{_tail(tmp_path / 'viewer.err')}"
        return path
    finally:
        _stop(viewer)


@pytest.mark.parametrize("block_pcp", [False, True], ids=["pcp", "upnp-igd"])
def test_upnp_router_maps_the_port_and_a_public_viewer_connects_direct(lab, tmp_path, block_pcp):
    h = lab.peer("host", behind="upnp")
    v = lab.peer("viewer")
    if block_pcp:
        # Only UPnP IGD left: the router drops PCP/NAT-PMP on its LAN side.
        lab.ns_exec(h.router.netns, ["nft", "-f", "-"], input="""
table ip pp_test {
    chain input {
        type filter hook input priority -10; policy accept;
        udp dport 5351 drop
    }
}
""")
    # miniupnpd learns its external address by STUN at start; give it a moment.
    time.sleep(1.0)
    host, ticket, seconds = _start_host(lab, h, tmp_path)
    try:
        info = _inspect(ticket)
        public = lab.public_address(h)
        mapped = [a for a in info["addresses"] if a.startswith(public + ":")]
        assert mapped, (public, info, _tail(tmp_path / "host.err"))
        port = int(mapped[0].rsplit(":", 1)[1])
        assert seconds < 3.0, f"the ticket took {seconds:.1f} s"

        log = _tail(tmp_path / "host.err")
        expected = "UPnP IGD" if block_pcp else "PCP"
        assert re.search(rf"port mapping: {expected} mapped {re.escape(public)}:{port} → {re.escape(lab.address(h))}:\d+", log), log
        mappings = _router_mappings(lab, h)
        assert port in mappings and mappings[port].startswith(lab.address(h) + ":"), (port, mappings)

        path = _decode_30_frames(lab, v, ticket, tmp_path)
        assert path["path"] == "direct" and path["address"] == mapped[0], path
    finally:
        code = _stop(host)
    assert code == 0, _tail(tmp_path / "host.err")
    left = _wait_gone(lab, h, port)
    assert port not in left, f"mapping {port} still on the router after the host exited: {left}\n{_tail(tmp_path / 'host.err')}"
    assert "port mapping: deleting" in _tail(tmp_path / "host.err")


def test_without_miniupnpd_the_host_starts_fast_and_quietly(lab, tmp_path):
    h = lab.peer("host", behind="eim")
    host, ticket, seconds = _start_host(lab, h, tmp_path, verbose=False)
    try:
        assert seconds < 2.0, f"the ticket took {seconds:.1f} s"
        info = _inspect(ticket)
        # STUN still finds the router's address (with the same port: masquerade
        # keeps it), as a reflexive (punch-only) candidate.
        assert any(a.startswith(lab.public_address(h) + ":") for a in info["reflexive"]), info
    finally:
        _stop(host)
    err = _tail(tmp_path / "host.err", 20000).lower()
    for word in ("mapping", "upnp", "pcp", "nat-pmp", "error", "warning"):
        assert word not in err, f"{word!r} in the host's stderr without -v:\n{err}"


def test_without_miniupnpd_verbose_says_what_was_tried(lab, tmp_path):
    h = lab.peer("host", behind="eim")
    host, ticket, seconds = _start_host(lab, h, tmp_path)
    try:
        assert seconds < 2.0, f"the ticket took {seconds:.1f} s"
    finally:
        _stop(host)
    log = _tail(tmp_path / "host.err", 20000)
    assert "port mapping: asking 10." in log, log
    assert "port mapping: PCP: no answer" in log and "port mapping: UPnP IGD: no answer" in log, log
    assert "no router mapping" in log, log
