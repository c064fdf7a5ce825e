"""Smoke tests of the network-namespace lab: each test builds its own small
lab (fixture `lab`) and tears it down, even on failure. Every packet goes to
addresses inside the lab's namespaces."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from conftest import (finish, first_line, pixelpass_binary, read_line, send_line, tool,
                      tool_bg)

import lab as netlab


def addr(host: str, port: int) -> str:
    return f"{host}:{port}"


def test_public_peers_exchange_udp(lab):
    a = lab.peer("a")
    b = lab.peer("b")
    echo = tool_bg(lab, b, "echo", "4000", "--timeout", "10")
    assert first_line(echo) == {"listening": 4000}
    reply = tool(lab, a, "ask", addr(lab.address(b), 4000), "hello", "--port", "4100")
    assert reply == [{"from": addr(lab.address(b), 4000), "reply": f"{lab.address(a)}:4100 hello"}]


def test_eim_peer_reaches_public_server_as_router_wan_address(lab):
    e = lab.peer("e", behind="eim")
    echo = tool_bg(lab, lab.server, "echo", "7000", "--timeout", "10")
    first_line(echo)
    reply = tool(lab, e, "ask", addr(netlab.SERVER_ADDR, 7000), "hi", "--port", "41000")
    assert len(reply) == 1, reply
    seen_as = reply[0]["reply"].split()[0]
    # MASQUERADE: the router's WAN address, and the local port kept
    assert seen_as == addr(lab.public_address(e), 41000)
    assert lab.public_address(e) == e.router.address
    assert lab.address(e).startswith("10.")


@pytest.mark.parametrize("kind,same_port", [("eim", True), ("symmetric", False)])
def test_mapping_behaviour(lab, kind, same_port):
    """One local socket, two destinations (coturn's two addresses): the same
    public port behind eim, different ports behind symmetric."""
    p = lab.peer("p", behind=kind)
    server, port = lab.stun_address()
    out = tool(lab, p, "stun", addr(server, port), "--also", addr(netlab.SERVER_ALT_ADDR, port),
               "--port", "42000")
    m1, m2 = out[0]["mapped"]
    assert m1.split(":")[0] == m2.split(":")[0] == lab.public_address(p)
    if same_port:
        assert m1 == m2 == addr(lab.public_address(p), 42000)
    else:
        assert m1 != m2, f"symmetric NAT gave one mapping {m1} to two destinations"


def test_unsolicited_inbound_is_dropped_until_a_mapping_exists(lab):
    e = lab.peer("e", behind="eim")
    o = lab.peer("o")
    rx = tool_bg(lab, e, "recv", "5000", "--timeout", "2")
    first_line(rx)
    tool(lab, o, "send", addr(lab.public_address(e), 5000), "knock", "--port", "6000", "--count", "3")
    tool(lab, o, "send", addr(lab.address(e), 5000), "direct", "--port", "6000", "--count", "3")
    assert finish(rx)[-1] == {"received": 0}

    # Once the peer has sent to o:6100 from its socket, o:6100 gets through,
    # and only it (port-dependent filtering).
    rx = tool_bg(lab, e, "recv", "5100", "--timeout", "3", "--count", "2",
                 "--hello", addr(lab.address(o), 6100))
    first_line(rx)
    tool(lab, o, "send", addr(lab.public_address(e), 5100), "other-port", "--port", "6101")
    tool(lab, o, "send", addr(lab.public_address(e), 5100), "reply", "--port", "6100")
    lines = finish(rx)
    assert [line.get("data") for line in lines if "data" in line] == ["reply"], lines

    # DESIGN §9: the unsolicited knock from o:6000 left an UNREPLIED conntrack
    # entry on the router; the peer's own packet to o:6000 from port 5000 now
    # clashes with it and gets another public port, so o:6000 still cannot
    # reach WAN:5000. (This is what the low-TTL openers avoid.)
    rx = tool_bg(lab, e, "recv", "5000", "--timeout", "2", "--hello", addr(lab.address(o), 6000))
    first_line(rx)
    tool(lab, o, "send", addr(lab.public_address(e), 5000), "late", "--port", "6000", "--count", "3")
    assert finish(rx)[-1] == {"received": 0}


def test_stun_binding_reports_the_nat_public_address(lab):
    e = lab.peer("e", behind="eim")
    server, port = lab.stun_address()
    out = tool(lab, e, "stun", addr(server, port), "--port", "43000")
    assert out == [{"local": "0.0.0.0:43000", "mapped": [addr(lab.public_address(e), 43000)]}]


def test_turn_long_term_and_rest_credentials_and_relay_to_relay(lab):
    e = lab.peer("e", behind="eim")
    lt = addr(*lab.turn_address())
    rest = addr(*lab.turn_rest_address())
    user, password = lab.turn_credentials()
    assert lab.turn_url() == f"turn:{user}:{password}@{lt}"

    ok = tool(lab, e, "turn", lt, "--user", user, "--password", password)
    assert ok[0]["relayed"].startswith(netlab.SERVER_ADDR + ":"), ok
    assert ok[0]["mapped"].startswith(lab.public_address(e) + ":"), ok
    assert "error" in tool(lab, e, "turn", lt, "--user", user, "--password", "wrong")[0]

    ok = tool(lab, e, "turn", rest, "--secret", lab.turn_secret())
    assert ok[0]["relayed"].startswith(netlab.REST_ADDR + ":"), ok
    assert "error" in tool(lab, e, "turn", rest, "--secret", "not-the-secret")[0]

    # Two allocations on one coturn, and one on each coturn, exchange data.
    same = tool(lab, e, "turn-pair", lt, "--user", user, "--password", password)[0]
    assert same["two_received"] == [same["relay_one"], "one->two"], same
    assert same["one_received"] == [same["relay_two"], "two->one"], same
    cross = tool(lab, e, "turn-pair", lt, "--user", user, "--password", password,
                 "--rest", rest, "--secret", lab.turn_secret())[0]
    assert cross["two_received"] == [cross["relay_one"], "one->two"], cross


def test_turnutils_uclient_allocates_with_long_term_credentials(lab):
    p = lab.peer("p", behind="eim")
    server, port = lab.turn_address()
    user, password = lab.turn_credentials()
    # -y: the client is its own peer (relay to relay on one server), -n 5 messages
    proc = lab.run(p, ["turnutils_uclient", "-y", "-n", "5", "-m", "1", "-l", "100", "-u", user,
                       "-w", password, "-p", str(port), "-e", server, server], timeout=30)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "Total lost packets 0" in proc.stdout + proc.stderr, (proc.stdout + proc.stderr)[-2000:]


def test_restart_turn_and_flush_conntrack(lab):
    p = lab.peer("p", behind="symmetric")
    server, port = lab.stun_address()
    # A symmetric NAT keeps one flow's mapping...
    first = tool(lab, p, "stun", addr(server, port), "--also", addr(server, port), "--port", "44000")
    m1, m2 = first[0]["mapped"]
    assert m1 == m2
    # ...until the router forgets it.
    lab.flush_conntrack(p.router)
    assert "dport=3478" not in lab.conntrack(p.router)
    after = tool(lab, p, "stun", addr(server, port), "--port", "44000")
    assert after[0]["mapped"][0] != m1
    lab.restart_turn()
    again = tool(lab, p, "stun", addr(server, port))
    assert again[0]["mapped"][0].startswith(lab.public_address(p) + ":")


def test_packet_loss(lab):
    a = lab.peer("a")
    b = lab.peer("b", behind="eim")
    echo = tool_bg(lab, a, "echo", "4000", "--timeout", "15")
    first_line(echo)
    how = lab.set_loss(b, 100)
    assert how in ("netem", "nftables")
    lost = tool(lab, b, "ask", addr(lab.address(a), 4000), "x", "--timeout", "1")
    assert lost == [{"error": "no reply"}]
    assert lab.set_loss(b, 0) == "none"
    assert tool(lab, b, "ask", addr(lab.address(a), 4000), "x")[0]["reply"].endswith(" x")


def test_upnp_port_mapping_lets_outside_packets_in(lab):
    u = lab.peer("u", behind="upnp")
    o = lab.peer("o")
    # -i: the IGD's external address is in a documentation range, which
    # miniupnpc counts as "not connected"; the mapping itself works.
    proc = lab.run(u, ["upnpc", "-i", "-e", "pixelpass-lab", "-a", lab.address(u), "5000", "5000", "UDP"],
                   timeout=30)
    assert f"external {lab.public_address(u)}:5000 UDP is redirected to internal {lab.address(u)}:5000" \
        in proc.stdout, proc.stdout + proc.stderr
    # NAT-PMP too
    pmp = lab.run(u, ["natpmpc", "-g", u.router.lan_address, "-a", "5001", "5001", "udp", "60"], timeout=30)
    assert "Mapped public port 5001 protocol UDP to local port 5001" in pmp.stdout, pmp.stdout + pmp.stderr

    for port in (5000, 5001):
        rx = tool_bg(lab, u, "recv", str(port), "--timeout", "3")
        first_line(rx)
        tool(lab, o, "send", addr(lab.public_address(u), port), "welcome", "--count", "3")
        got = finish(rx)
        # (the "listening" line was read above)
        assert got[0].get("data") == "welcome" and got[0]["from"].startswith(lab.address(o) + ":"), (port, got)


def test_low_ttl_hole_punch_between_two_eim_nats(lab):
    """DESIGN §9: openers with TTL 2 leave the local NAT but die in the core;
    the normal probes that follow get through in both directions."""
    h = lab.peer("host", behind="eim")
    v = lab.peer("viewer", behind="eim")
    assert h.router is not v.router

    # An opener alone: it creates a mapping on the host's NAT, and nothing
    # arrives at the viewer's NAT (nor, through a mapping, at the viewer).
    rx = tool_bg(lab, v, "recv", "47000", "--timeout", "1.5", "--hello", addr(h.router.address, 48000))
    first_line(rx)
    tool(lab, h, "send", addr(v.router.address, 47000), "open", "--port", "48000", "--ttl", "2", "--count", "3")
    assert finish(rx)[-1] == {"received": 0}
    entries = lab.conntrack(h.router)
    assert f"dst={v.router.address} sport=48000 dport=47000" in entries, entries
    # the viewer's NAT has only the viewer's own outbound flow, no flow that
    # the opener started (original direction: the first src= of a line)
    started_outside = [line for line in lab.conntrack(v.router).splitlines()
                       if line.split("src=", 1)[-1].startswith(h.router.address + " ")]
    assert not started_outside, started_outside

    stun = addr(*lab.stun_address())
    ph = tool_bg(lab, h, "punch", "--port", "45000", "--stun", stun, "--ttl", "2")
    pv = tool_bg(lab, v, "punch", "--port", "46000", "--stun", stun, "--ttl", "2")
    mh = first_line(ph)["mapped"]
    mv = first_line(pv)["mapped"]
    assert mh == addr(h.router.address, 45000) and mv == addr(v.router.address, 46000)
    send_line(ph, mv)
    send_line(pv, mh)
    rh, rv = finish(ph)[-1], finish(pv)[-1]
    assert rh["openers_seen"] == 0 and rv["openers_seen"] == 0, (rh, rv)
    assert rh["probes_from"] == [mv], rh
    assert rv["probes_from"] == [mh], rv


def test_peers_behind_the_same_nat_reach_each_other_on_the_lan(lab):
    a = lab.peer("a", behind="eim")
    b = lab.peer("b", behind="lan")
    assert a.router is b.router
    echo = tool_bg(lab, a, "echo", "4000", "--timeout", "10")
    first_line(echo)
    reply = tool(lab, b, "ask", addr(lab.address(a), 4000), "hi", "--port", "4100")
    assert reply == [{"from": addr(lab.address(a), 4000), "reply": f"{lab.address(b)}:4100 hi"}]


def test_down_removes_only_what_the_lab_made(tmp_path):
    other = netlab.Lab(turn=False, state_root=tmp_path)
    try:
        mine = netlab.Lab(turn=False, state_root=tmp_path)
        mine.peer("x", behind="eim")
        names = list(mine.namespaces)
        assert netlab.down(mine.id, state_root=tmp_path) == [mine.id]
        listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
        assert not any(n in listed for n in names)
        assert all(n in listed for n in other.namespaces)
    finally:
        other.close()



# ----- mainline DHT nodes (Lab.start_dht, krpc.py) -----------------------------------------

def _start_dht(lab):
    started = time.monotonic()
    try:
        nodes = lab.start_dht()
    except netlab.LabError as error:
        if "cannot import libtorrent" in str(error):
            pytest.skip(str(error))
        raise
    return nodes, time.monotonic() - started


def test_dht_nodes_start_and_fill_their_tables(lab):
    nodes, took = _start_dht(lab)
    assert took < 10, f"DHT nodes took {took:.1f} s"
    assert len(nodes) == 20 and len(set(nodes)) == 20
    assert all(n.startswith("192.0.2.") and n.endswith(":6881") for n in nodes), nodes
    boot = lab.dht_bootstrap()
    assert 2 <= len(boot) <= 3 and set(boot) <= set(nodes), boot

    p = lab.peer("p", behind="eim")
    lab.count_dht_traffic(p)
    ping = lab.krpc(p, "ping")
    assert ping[-1]["replies"] == 20, ping[-1]
    assert len({line["id"] for line in ping[:-1]}) == 20      # 20 distinct node ids
    # every node answers find_node with at least 5 nodes (the closest it
    # knows to a random target), all of them lab nodes
    found = lab.krpc(p, "find-node")[-1]
    assert found["replies"] == 20 and min(found["nodes_per_reply"]) >= 5, found
    assert set(found["known"]) <= set(nodes) and len(found["known"]) >= 8, found
    sent = lab.dht_bytes_sent(p)
    assert sent >= 2 * 20 * 28, sent       # 40 queries at least, counted with their IP/UDP headers


def test_dht_announce_from_behind_nat_lands_with_the_router_address(lab):
    """BEP 5 announce_peer with implied_port from behind an eim NAT: every
    node stores the router's WAN address and the mapped port; a get_peers
    from behind another (symmetric) NAT returns it. Every reply carries the
    BEP 42 `ip` field: the requester as the node saw it."""
    _start_dht(lab)
    h = lab.peer("host", behind="eim")
    v = lab.peer("viewer", behind="symmetric")
    infohash = os.urandom(20).hex()
    mapped = addr(lab.public_address(h), 40000)
    out = lab.krpc(h, "announce", infohash, "--implied-port", "--port", "40000")[-1]
    assert out["stored"] == 20 and not out["errors"], out
    assert out["ip"] == [mapped], out                        # BEP 42: every node saw the mapping
    got = lab.krpc(v, "get-peers", infohash)[-1]
    assert got["values"] == [mapped], got
    # the symmetric NAT shows: 20 nodes, 20 different ports on one address
    assert len(got["ip"]) == 20 and {a.split(":")[0] for a in got["ip"]} == {lab.public_address(v)}, got
    assert lab.dht_get_peers(infohash) == [mapped]
    # without implied_port the announced port is stored (with the source address)
    other = os.urandom(20).hex()
    lab.krpc(h, "announce", other, "--announce-port", "5555")
    assert lab.dht_get_peers(other) == [addr(lab.public_address(h), 5555)]
    assert lab.dht_get_peers(os.urandom(20).hex()) == []


def test_dht_lookup_from_the_bootstrap_nodes_finds_the_closest_nodes(lab):
    """What a DHT client does: an iterative get_peers starting from only the
    bootstrap nodes converges on the 8 nodes closest to the infohash (by XOR
    distance of the ids the nodes answer with); an announce to them from
    behind one NAT is found by a lookup from behind another."""
    nodes, _ = _start_dht(lab)
    h = lab.peer("host", behind="eim")
    v = lab.peer("viewer", behind="symmetric")
    ids = {line["node"]: int(line["id"], 16) for line in lab.krpc(v, "ping")[:-1]}
    assert len(ids) == 20
    infohash = os.urandom(20).hex()
    truth = sorted(ids, key=lambda n: ids[n] ^ int(infohash, 16))[:8]
    boot = ",".join(lab.dht_bootstrap())
    out = lab.run(h, [sys.executable, str(netlab.HERE / "krpc.py"), "lookup", infohash, "--nodes", boot,
                      "--announce", "--implied-port", "--port", "40100"], timeout=20)
    found = json.loads(out.stdout.splitlines()[-1])
    # (Kademlia promises the closest ones; the tail of the 8 may differ)
    assert set(truth[:6]) <= set(found["closest"]), (found, truth)
    assert found["stored"] == 8 and found["ip"] == [addr(lab.public_address(h), 40100)], found
    out = lab.run(v, [sys.executable, str(netlab.HERE / "krpc.py"), "lookup", infohash, "--nodes", boot], timeout=20)
    seen = json.loads(out.stdout.splitlines()[-1])
    assert seen["values"] == [addr(lab.public_address(h), 40100)], seen
    print(f"lookup: {found['rounds']} rounds, {found['queried']} nodes queried")

def test_dht_bep44_put_and_get(lab):
    """BEP 44 storage on the lab nodes: an immutable item, and a mutable one
    whose seq must grow (error 302 for an older seq)."""
    _start_dht(lab)
    a = lab.peer("a", behind="eim")
    b = lab.peer("b")
    put = lab.krpc(a, "put-immutable", "pixelpass-lab")[-1]
    assert put["stored"] == 20 and not put["errors"], put
    assert lab.krpc(b, "get-immutable", put["target"])[-1]["values"] == ["pixelpass-lab"]
    try:
        import cryptography  # noqa: F401  (krpc.py signs with it, under this python)
    except ImportError:
        pytest.skip("no python cryptography module: mutable items not checked")
    seed = os.urandom(32).hex()
    first = lab.krpc(a, "put-mutable", "one", "--seed", seed, "--salt", "s", "--seq", "1")[-1]
    assert first["stored"] == 20 and not first["errors"], first
    second = lab.krpc(a, "put-mutable", "two", "--seed", seed, "--salt", "s", "--seq", "2")[-1]
    assert second["stored"] == 20 and second["target"] == first["target"], second
    got = lab.krpc(b, "get-mutable", "--seed", seed, "--salt", "s")[-1]
    assert got["items"] == [{"seq": 2, "v": "two"}], got
    stale = lab.krpc(a, "put-mutable", "old", "--seed", seed, "--salt", "s", "--seq", "1")[-1]
    assert stale["stored"] == 0 and all("302" in e for e in stale["errors"]) and len(stale["errors"]) == 20, stale

# ----- pixelpass itself ------------------------------------------------------------------

FAST = ("--source", "test", "--size", "640x360", "--bitrate", "1000")


class HostUnreachable(AssertionError):
    """The viewer gave up with exit 3 (cannot reach the host)."""


def _pixelpass_env(tmp_path):
    return {"XDG_CONFIG_HOME": str(tmp_path / "config"), "NO_COLOR": "1", "HOME": str(tmp_path)}


def _share_and_watch(lab, host_node, viewer_node, tmp_path):
    binary = pixelpass_binary()
    if not binary.exists():
        pytest.skip(f"no pixelpass binary at {binary} (set PIXELPASS_BIN or build it)")
    env = _pixelpass_env(tmp_path)
    host = lab.popen(host_node, [str(binary), "host", *FAST, "--bind", "0.0.0.0:0"], env=env,
                     stdout=subprocess.PIPE, stderr=open(tmp_path / "host.err", "wb"), bufsize=0)
    ticket = read_line(host, 20, "pixelpass host")
    viewer = lab.popen(viewer_node, [str(binary), "view", ticket, "--player", "none"], env=env,
                       stdout=subprocess.PIPE, stderr=open(tmp_path / "viewer.err", "wb"), bufsize=0)
    try:
        url = read_line(viewer, 20, "pixelpass view")
    except AssertionError:
        viewer.wait(timeout=20)
        kind = HostUnreachable if viewer.returncode == 3 else AssertionError
        raise kind(f"viewer exited {viewer.returncode}: "
                   f"{(tmp_path / 'viewer.err').read_text(errors='replace')[-1500:]}")
    assert url.startswith("http://127.0.0.1:"), url
    ffmpeg = lab.run(viewer_node, ["ffmpeg", "-nostdin", "-v", "error", "-i", url, "-frames:v", "30",
                                   "-f", "null", "-"], timeout=40)
    viewer_rc = viewer.poll()
    detail = (f"ffmpeg exit {ffmpeg.returncode}: {ffmpeg.stderr[-800:]}\nviewer exit {viewer_rc}: "
              f"{(tmp_path / 'viewer.err').read_text(errors='replace')[-1500:]}")
    assert ffmpeg.returncode == 0, detail
    assert viewer_rc is None, detail


def test_pixelpass_public_host_viewer_behind_eim(lab, tmp_path):
    h = lab.peer("host")
    v = lab.peer("viewer", behind="eim")
    _share_and_watch(lab, h, v, tmp_path)


# A host behind a NAT: see test_traversal.py (relay, clear failure without one).


# ----- IPv6 (v6fw, v6open) and the double NAT ------------------------------------------------------------

# A UDP socket of either family inside a namespace (nettool.py is IPv4 only):
# binds PORT, optionally sends "hello" to HELLO first, then prints one JSON
# line {"listening": PORT} and, after TIMEOUT seconds, {"received": [[data,
# "from address"], ...]}.
UDP_RECV = r"""
import json, socket, sys, time
port, timeout, hello = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
s.bind(("::", port))
if hello:
    host, _, hport = hello.rpartition(":")
    s.sendto(b"hello", (host.strip("[]"), int(hport)))
print(json.dumps({"listening": port}), flush=True)
got, end = [], time.monotonic() + timeout
while time.monotonic() < end:
    s.settimeout(max(0.01, end - time.monotonic()))
    try:
        data, src = s.recvfrom(2048)
    except OSError:
        break
    got.append([data.decode(), src[0]])
print(json.dumps({"received": got}), flush=True)
"""

# Sends DATA to [ADDR]:PORT from local port SPORT, three times (IPv6 if ADDR
# has a colon); with ASK=1 waits 1 s for one reply and prints it as JSON.
UDP_SEND = r"""
import json, socket, sys
dest, port, sport, data, ask = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5] == "1"
s = socket.socket(socket.AF_INET6 if ":" in dest else socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("::" if ":" in dest else "0.0.0.0", sport))
for _ in range(1 if ask else 3):
    s.sendto(data.encode(), (dest, port))
if ask:
    s.settimeout(1.0)
    try:
        reply, src = s.recvfrom(2048)
        print(json.dumps({"reply": reply.decode(), "from": src[0]}))
    except OSError:
        print(json.dumps({"error": "no reply"}))
"""

# Replies to every datagram on [::]:PORT with "<sender address> <data>".
UDP_ECHO6 = r"""
import socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::", int(sys.argv[1])))
print('{"listening": %s}' % sys.argv[1], flush=True)
end = time.monotonic() + float(sys.argv[2])
while time.monotonic() < end:
    s.settimeout(max(0.01, end - time.monotonic()))
    try:
        data, src = s.recvfrom(2048)
    except OSError:
        break
    s.sendto(src[0].encode() + b" " + data, src)
"""


def udp_bg(lab, node, code, *args):
    return lab.popen(node, [sys.executable, "-u", "-c", code, *map(str, args)], stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, bufsize=0)


def udp_send(lab, node, dest, port, sport, data, ask=False):
    proc = lab.python(node, UDP_SEND, dest, str(port), str(sport), data, "1" if ask else "0", timeout=10)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout) if ask else None


def test_ipv6_addressing_and_routing(lab):
    """v6fw/v6open peers get a global 2001:db8:<k>::/64 address and keep a
    private IPv4 address behind masquerade; a public peer gets IPv6 only when
    asked; the IPv4 kinds stay IPv4 only."""
    f = lab.peer("f", behind="v6fw")
    o = lab.peer("o", behind="v6open")
    p = lab.peer("p", ipv6=True)
    q = lab.peer("q")
    e = lab.peer("e", behind="eim")
    k = f.router.index
    assert lab.address6(f) == f"2001:db8:{k}::10" and f.router.lan_address6 == f"2001:db8:{k}::1"
    assert lab.address6(o) == f"2001:db8:{o.router.index}::10"
    assert lab.address(f) == f"10.{k}.0.10" and lab.public_address(f) == f.router.address
    assert lab.address6(p) == "2001:db8::" + lab.address(p).rsplit(".", 1)[1]
    assert lab.address6(q) is None and lab.address6(e) is None and e.router.address6 is None
    for node in (q, e):
        shown = lab.run(node, ["ip", "-6", "addr", "show", "scope", "global"]).stdout
        assert shown.strip() == "", shown
    with pytest.raises(netlab.LabError):
        lab.peer("bad", behind=e.router, ipv6=True)
    # addresses usable at once: no "tentative" (DAD) left anywhere
    for node in (f, o, p, f.router, lab.core):
        shown = lab.run(node, ["ip", "-6", "addr"]).stdout
        assert "tentative" not in shown, (node.name, shown)
    # IPv4 from a v6fw peer: masquerade like eim, port kept
    echo = tool_bg(lab, lab.server, "echo", "7000", "--timeout", "10")
    first_line(echo)
    reply = tool(lab, f, "ask", addr(netlab.SERVER_ADDR, 7000), "hi", "--port", "41000")
    assert reply[0]["reply"].split()[0] == addr(lab.public_address(f), 41000), reply


def test_v6fw_peer_reaches_a_public_ipv6_peer_without_nat(lab):
    f = lab.peer("f", behind="v6fw")
    p = lab.peer("p", ipv6=True)
    echo = udp_bg(lab, p, UDP_ECHO6, 7000, 10)
    assert first_line(echo) == {"listening": 7000}
    got = udp_send(lab, f, lab.address6(p), 7000, 41000, "hi", ask=True)
    # routed, not translated: the public peer sees the peer's own address
    assert got == {"reply": f"{lab.address6(f)} hi", "from": lab.address6(p)}, got


def test_v6fw_drops_unsolicited_inbound_ipv6_and_lets_replies_in(lab):
    f = lab.peer("f", behind="v6fw")
    p = lab.peer("p", ipv6=True)
    f6, p6 = lab.address6(f), lab.address6(p)

    # Unsolicited: dropped by the stateful firewall (from a public peer and
    # from a peer behind another v6fw).
    g = lab.peer("g", behind="v6fw")
    rx = udp_bg(lab, f, UDP_RECV, 5000, 2, "")
    first_line(rx)
    udp_send(lab, p, f6, 5000, 6000, "knock")
    udp_send(lab, g, f6, 5000, 6000, "knock-from-v6fw")
    assert finish(rx)[-1] == {"received": []}
    assert "dport=5000" not in lab.conntrack(f.router), lab.conntrack(f.router)   # dropped, not tracked

    # After the peer sent to p:6100 from its socket, p:6100's reply gets in,
    # and only from there (another port of p stays out).
    rx = udp_bg(lab, f, UDP_RECV, 5100, 2, f"[{p6}]:6100")
    first_line(rx)
    udp_send(lab, p, f6, 5100, 6101, "other-port")
    udp_send(lab, p, f6, 5100, 6100, "reply")
    got = finish(rx)[-1]["received"]
    assert got == [["reply", p6]] * 3, got

    # The earlier knock left no state behind (IPv6 has no mapping to clash
    # with): once f sends to p:6000, p:6000 gets in.
    rx = udp_bg(lab, f, UDP_RECV, 5000, 2, f"[{p6}]:6000")
    first_line(rx)
    udp_send(lab, p, f6, 5000, 6000, "late")
    assert finish(rx)[-1]["received"] == [["late", p6]] * 3


def test_v6open_lets_unsolicited_inbound_ipv6_in(lab):
    o = lab.peer("o", behind="v6open")
    p = lab.peer("p", ipv6=True)
    rx = udp_bg(lab, o, UDP_RECV, 5000, 2, "")
    first_line(rx)
    udp_send(lab, p, lab.address6(o), 5000, 6000, "knock")
    assert finish(rx)[-1]["received"] == [["knock", lab.address6(p)]] * 3


def test_double_nat_peer_is_seen_at_the_cgnat_address(lab):
    d = lab.peer("d", behind="double")
    home, cgnat = d.router, d.router.upstream
    assert d.placement == "double" and home.kind == "eim" and cgnat.kind == "cgnat"
    assert home.address.startswith(f"100.64.{cgnat.index}.") and cgnat.lan_address == f"100.64.{cgnat.index}.1"
    assert lab.public_address(d) == cgnat.address and cgnat.address.startswith("203.0.113.")
    assert [n.name for n in lab.hops(d)] == [home.name, cgnat.name, "core"] and lab.opener_ttl(d) == 3
    server, port = lab.stun_address()
    out = tool(lab, d, "stun", addr(server, port), "--port", "43000")
    # masquerade twice, the port kept both times
    assert out == [{"local": "0.0.0.0:43000", "mapped": [addr(cgnat.address, 43000)]}], out
    # a second peer on the same home LAN, and a second home behind the same CGNAT
    d2 = lab.peer("d2", behind=d)
    assert d2.router is home and d2.placement == "double"
    other = lab.peer("n", behind=lab.router("eim", behind=cgnat))
    assert other.router.address == f"100.64.{cgnat.index}.3" and lab.public_address(other) == cgnat.address


def _tracked(lab, router, dport):
    """conntrack lines of `router` for UDP to `dport`."""
    return [line for line in lab.conntrack(router).splitlines() if f" dport={dport} " in line + " "]


def test_opener_ttl_per_placement(lab):
    """The hop counts in README "Hop counts": an opener must leave its own
    NAT(s) and die in the core. TTL 2 does that behind one NAT; behind a
    double NAT it dies inside the CGNAT (no mapping there), TTL 3 is needed
    (and TTL 4 reaches the far NAT). From a single NAT, TTL 3 reaches the far
    NAT router itself: delivered locally, it leaves an UNREPLIED entry there
    (the clash of DESIGN §9)."""
    d = lab.peer("d", behind="double")
    e = lab.peer("e", behind="eim")
    home, cgnat = d.router, d.router.upstream
    assert lab.opener_ttl(e) == 2 and lab.opener_ttl(d) == 3

    def opener(src, dst, dport, ttl):
        tool(lab, src, "send", addr(dst, dport), "open", "--port", str(dport + 1000), "--ttl", str(ttl),
             "--count", "2")

    opener(d, lab.public_address(e), 47002, 2)
    assert _tracked(lab, home, 47002) and not _tracked(lab, cgnat, 47002)
    opener(d, lab.public_address(e), 47003, 3)
    assert _tracked(lab, cgnat, 47003) and not _tracked(lab, e.router, 47003)
    opener(d, lab.public_address(e), 47004, 4)
    assert _tracked(lab, e.router, 47004)

    opener(e, lab.public_address(d), 47102, 2)
    assert _tracked(lab, e.router, 47102) and not _tracked(lab, cgnat, 47102)
    opener(e, lab.public_address(d), 47103, 3)
    reached = _tracked(lab, cgnat, 47103)
    assert reached and "[UNREPLIED]" in reached[0] and f"src={lab.public_address(e)} " in reached[0], reached
