#!/usr/bin/env python3
"""Small UDP, STUN and TURN tools the netlab tests run inside namespaces.

Every subcommand prints JSON on stdout (one object per line) and stops by
itself (each has a timeout). Written for the lab: a minimal STUN (RFC 8489)
and TURN (RFC 8656) client, enough to learn a mapped address, allocate a relay
with long-term or REST-API (shared secret) credentials and move data between
two allocations.

  nettool.py recv PORT [--timeout S] [--count N] [--hello IP:PORT]
  nettool.py send IP:PORT DATA [--port P] [--ttl T] [--count N] [--interval S]
  nettool.py echo PORT [--timeout S]
  nettool.py ask IP:PORT DATA [--port P] [--timeout S]   (send, wait for one reply)
  nettool.py stun IP:PORT [--port P] [--also IP:PORT]     (binding; --also: second
                                                          server from the same socket)
  nettool.py turn IP:PORT (--user U --password P | --secret S) [--realm R]
  nettool.py turn-pair IP:PORT --user U --password P [--rest IP:PORT --secret S]
  nettool.py punch [--port P] [--stun IP:PORT] [--ttl T] [--timeout S]
                  (prints its mapped address, reads the peer's IP:PORT on stdin)
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import select
import socket
import struct
import sys
import time
import zlib
from typing import Dict, List, Optional, Tuple

MAGIC = 0x2112A442

# message types
BINDING_REQUEST = 0x0001
BINDING_SUCCESS = 0x0101
ALLOCATE_REQUEST = 0x0003
ALLOCATE_SUCCESS = 0x0103
ALLOCATE_ERROR = 0x0113
REFRESH_REQUEST = 0x0004
CREATE_PERMISSION_REQUEST = 0x0008
CREATE_PERMISSION_SUCCESS = 0x0108
SEND_INDICATION = 0x0016
DATA_INDICATION = 0x0017

# attributes
MAPPED_ADDRESS = 0x0001
USERNAME = 0x0006
MESSAGE_INTEGRITY = 0x0008
ERROR_CODE = 0x0009
LIFETIME = 0x000D
XOR_PEER_ADDRESS = 0x0012
DATA = 0x0013
REALM = 0x0014
NONCE = 0x0015
XOR_RELAYED_ADDRESS = 0x0016
REQUESTED_TRANSPORT = 0x0019
XOR_MAPPED_ADDRESS = 0x0020
SOFTWARE = 0x8022
FINGERPRINT = 0x8028

Addr = Tuple[str, int]


def emit(obj: dict) -> None:
    print(json.dumps(obj), flush=True)


def parse_addr(text: str) -> Addr:
    host, _, port = text.rpartition(":")
    return host, int(port)


def fmt(addr: Addr) -> str:
    return f"{addr[0]}:{addr[1]}"


# ----- STUN encoding ------------------------------------------------------------

def xor_address(addr: Addr) -> bytes:
    ip = struct.unpack("!I", socket.inet_aton(addr[0]))[0] ^ MAGIC
    return struct.pack("!BBHI", 0, 1, addr[1] ^ (MAGIC >> 16), ip)


def parse_xor_address(value: bytes) -> Addr:
    family, port, ip = value[1], struct.unpack("!H", value[2:4])[0], value[4:8]
    if family != 1:
        raise ValueError("only IPv4 in the lab")
    port ^= MAGIC >> 16
    ip_int = struct.unpack("!I", ip)[0] ^ MAGIC
    return socket.inet_ntoa(struct.pack("!I", ip_int)), port


def _attr(atype: int, value: bytes) -> bytes:
    pad = (4 - len(value) % 4) % 4
    return struct.pack("!HH", atype, len(value)) + value + b"\0" * pad


def encode(mtype: int, tid: bytes, attrs: List[Tuple[int, bytes]],
           key: Optional[bytes] = None, fingerprint: bool = True) -> bytes:
    body = b"".join(_attr(t, v) for t, v in attrs)
    if key is not None:
        # HMAC over the message with the length already counting the MI attribute
        header = struct.pack("!HHI", mtype, len(body) + 24, MAGIC) + tid
        mac = hmac.new(key, header + body, hashlib.sha1).digest()
        body += _attr(MESSAGE_INTEGRITY, mac)
    if fingerprint:
        header = struct.pack("!HHI", mtype, len(body) + 8, MAGIC) + tid
        crc = (zlib.crc32(header + body) ^ 0x5354554E) & 0xFFFFFFFF
        body += _attr(FINGERPRINT, struct.pack("!I", crc))
    return struct.pack("!HHI", mtype, len(body), MAGIC) + tid + body


def decode(data: bytes) -> Optional[Tuple[int, bytes, Dict[int, bytes]]]:
    if len(data) < 20 or data[0] & 0xC0:
        return None
    mtype, length, cookie = struct.unpack("!HHI", data[:8])
    if cookie != MAGIC or len(data) < 20 + length:
        return None
    tid = data[8:20]
    attrs: Dict[int, bytes] = {}
    pos = 20
    while pos + 4 <= 20 + length:
        atype, alen = struct.unpack("!HH", data[pos:pos + 4])
        attrs.setdefault(atype, data[pos + 4:pos + 4 + alen])
        pos += 4 + alen + (4 - alen % 4) % 4
    return mtype, tid, attrs


def error_code(attrs: Dict[int, bytes]) -> Optional[int]:
    value = attrs.get(ERROR_CODE)
    if not value:
        return None
    return (value[2] & 0x7) * 100 + value[3]


# ----- transactions -----------------------------------------------------------------

def transact(sock: socket.socket, server: Addr, mtype: int, attrs: List[Tuple[int, bytes]],
             key: Optional[bytes] = None, timeout: float = 3.0,
             stash: Optional[list] = None) -> Tuple[int, Dict[int, bytes]]:
    """Sends a request (retransmitting) and returns (type, attrs) of the answer.
    Unrelated datagrams are put into `stash`."""
    tid = os.urandom(12)
    msg = encode(mtype, tid, attrs, key)
    deadline = time.monotonic() + timeout
    rto = 0.2
    while time.monotonic() < deadline:
        sock.sendto(msg, server)
        until = min(deadline, time.monotonic() + rto)
        while time.monotonic() < until:
            ready, _, _ = select.select([sock], [], [], max(0.0, until - time.monotonic()))
            if not ready:
                break
            data, src = sock.recvfrom(65536)
            parsed = decode(data)
            if parsed and parsed[1] == tid:
                return parsed[0], parsed[2]
            if stash is not None:
                stash.append((data, src))
        rto = min(rto * 2, 1.0)
    raise TimeoutError(f"no answer from {fmt(server)} to 0x{mtype:04x}")


def binding(sock: socket.socket, server: Addr, timeout: float = 3.0) -> Addr:
    mtype, attrs = transact(sock, server, BINDING_REQUEST, [], timeout=timeout)
    if mtype != BINDING_SUCCESS or XOR_MAPPED_ADDRESS not in attrs:
        raise RuntimeError(f"binding failed: type 0x{mtype:04x} error {error_code(attrs)}")
    return parse_xor_address(attrs[XOR_MAPPED_ADDRESS])


def rest_credentials(secret: str, user: str = "pixelpass", ttl: int = 600) -> Tuple[str, str]:
    """coturn's TURN REST API: username "<expiry>:<user>", password
    base64(HMAC-SHA1(secret, username))."""
    username = f"{int(time.time()) + ttl}:{user}"
    password = base64.b64encode(hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()).decode()
    return username, password


class TurnClient:
    def __init__(self, server: Addr, username: str, password: str, realm: Optional[str] = None,
                 port: int = 0) -> None:
        self.server = server
        self.username = username
        self.password = password
        self.realm = realm
        self.nonce: Optional[bytes] = None
        self.key: Optional[bytes] = None
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("0.0.0.0", port))
        self.stash: list = []
        self.relayed: Optional[Addr] = None
        self.mapped: Optional[Addr] = None

    def _auth_attrs(self) -> List[Tuple[int, bytes]]:
        return [(USERNAME, self.username.encode()), (REALM, self.realm.encode()), (NONCE, self.nonce)]

    def _request(self, mtype: int, attrs: List[Tuple[int, bytes]]) -> Tuple[int, Dict[int, bytes]]:
        def send() -> Tuple[int, Dict[int, bytes]]:
            if self.key is None:
                return transact(self.sock, self.server, mtype, attrs, stash=self.stash)
            return transact(self.sock, self.server, mtype, self._auth_attrs() + attrs,
                            key=self.key, stash=self.stash)

        answer = send()
        for _ in range(2):
            code = error_code(answer[1])
            # 401 to an unauthenticated request, or 438 stale nonce: take the
            # server's realm and nonce and try once more. A 401 to an
            # authenticated request means the credentials were refused.
            if NONCE in answer[1] and ((code == 401 and self.key is None) or code == 438):
                self.nonce = answer[1][NONCE]
                if REALM in answer[1]:
                    self.realm = answer[1][REALM].decode()
                self.key = hashlib.md5(f"{self.username}:{self.realm}:{self.password}".encode()).digest()
                answer = send()
                continue
            break
        return answer

    def allocate(self) -> Addr:
        mtype, attrs = self._request(ALLOCATE_REQUEST, [(REQUESTED_TRANSPORT, bytes([17, 0, 0, 0]))])
        if mtype != ALLOCATE_SUCCESS:
            raise PermissionError(f"allocate refused: error {error_code(attrs)}")
        self.relayed = parse_xor_address(attrs[XOR_RELAYED_ADDRESS])
        if XOR_MAPPED_ADDRESS in attrs:
            self.mapped = parse_xor_address(attrs[XOR_MAPPED_ADDRESS])
        return self.relayed

    def permit(self, peer: Addr) -> None:
        mtype, attrs = self._request(CREATE_PERMISSION_REQUEST, [(XOR_PEER_ADDRESS, xor_address(peer))])
        if mtype != CREATE_PERMISSION_SUCCESS:
            raise PermissionError(f"permission for {fmt(peer)} refused: error {error_code(attrs)}")

    def send(self, peer: Addr, data: bytes) -> None:
        msg = encode(SEND_INDICATION, os.urandom(12),
                     [(XOR_PEER_ADDRESS, xor_address(peer)), (DATA, data)], fingerprint=False)
        self.sock.sendto(msg, self.server)

    def receive(self, timeout: float) -> Optional[Tuple[Addr, bytes]]:
        deadline = time.monotonic() + timeout
        while True:
            while self.stash:
                data, _ = self.stash.pop(0)
                parsed = decode(data)
                if parsed and parsed[0] == DATA_INDICATION:
                    return parse_xor_address(parsed[2][XOR_PEER_ADDRESS]), parsed[2][DATA]
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.sock], [], [], left)
            if ready:
                self.stash.append(self.sock.recvfrom(65536))

    def release(self) -> None:
        try:
            self._request(REFRESH_REQUEST, [(LIFETIME, struct.pack("!I", 0))])
        except (TimeoutError, OSError):
            pass
        self.sock.close()


# ----- subcommands --------------------------------------------------------------------

def udp_socket(port: int = 0, ttl: Optional[int] = None) -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    if ttl is not None:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
    return s


def cmd_recv(a) -> int:
    s = udp_socket(a.port)
    if a.hello:
        # open a NAT mapping from this very socket first
        s.sendto(b"hello", parse_addr(a.hello))
    emit({"listening": a.port})
    got = 0
    deadline = time.monotonic() + a.timeout
    while got < a.count:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        ready, _, _ = select.select([s], [], [], left)
        if not ready:
            break
        data, src = s.recvfrom(65536)
        got += 1
        emit({"from": fmt(src), "data": data.decode(errors="replace")})
    emit({"received": got})
    return 0 if got else 1


def cmd_send(a) -> int:
    s = udp_socket(a.port, a.ttl)
    dest = parse_addr(a.dest)
    for i in range(a.count):
        s.sendto(a.data.encode(), dest)
        if i + 1 < a.count:
            time.sleep(a.interval)
    emit({"sent": a.count, "from_port": s.getsockname()[1]})
    return 0


def cmd_echo(a) -> int:
    s = udp_socket(a.port)
    emit({"listening": a.port})
    deadline = time.monotonic() + a.timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return 0
        ready, _, _ = select.select([s], [], [], left)
        if ready:
            data, src = s.recvfrom(65536)
            s.sendto(f"{fmt(src)} {data.decode(errors='replace')}".encode(), src)


def cmd_ask(a) -> int:
    s = udp_socket(a.port)
    s.settimeout(0.3)
    dest = parse_addr(a.dest)
    deadline = time.monotonic() + a.timeout
    while time.monotonic() < deadline:
        s.sendto(a.data.encode(), dest)
        try:
            data, src = s.recvfrom(65536)
        except socket.timeout:
            continue
        emit({"from": fmt(src), "reply": data.decode(errors="replace")})
        return 0
    emit({"error": "no reply"})
    return 1


def cmd_stun(a) -> int:
    s = udp_socket(a.port)
    servers = [parse_addr(a.server)] + [parse_addr(x) for x in a.also]
    out = {"local": fmt(s.getsockname()), "mapped": []}
    for server in servers:
        out["mapped"].append(fmt(binding(s, server, timeout=a.timeout)))
    emit(out)
    return 0


def cmd_turn(a) -> int:
    user, password = (a.user, a.password) if a.secret is None else rest_credentials(a.secret)
    client = TurnClient(parse_addr(a.server), user, password, a.realm)
    try:
        relayed = client.allocate()
    except PermissionError as e:
        emit({"error": str(e)})
        return 1
    emit({"relayed": fmt(relayed), "mapped": fmt(client.mapped) if client.mapped else None, "user": user})
    client.release()
    return 0


def cmd_turn_pair(a) -> int:
    """Two allocations exchange data relay to relay: both on SERVER with
    long-term credentials, or the second on --rest with REST credentials."""
    server = parse_addr(a.server)
    one = TurnClient(server, a.user, a.password)
    if a.rest:
        two = TurnClient(parse_addr(a.rest), *rest_credentials(a.secret))
    else:
        two = TurnClient(server, a.user, a.password)
    r1, r2 = one.allocate(), two.allocate()
    one.permit(r2)
    two.permit(r1)
    out = {"relay_one": fmt(r1), "relay_two": fmt(r2)}
    got_two = got_one = None
    deadline = time.monotonic() + a.timeout
    while time.monotonic() < deadline and not (got_one and got_two):
        if not got_two:
            one.send(r2, b"one->two")
            got = two.receive(0.3)
            if got:
                got_two = got
        if not got_one:
            two.send(r1, b"two->one")
            got = one.receive(0.3)
            if got:
                got_one = got
    out["two_received"] = [fmt(got_two[0]), got_two[1].decode()] if got_two else None
    out["one_received"] = [fmt(got_one[0]), got_one[1].decode()] if got_one else None
    emit(out)
    one.release()
    two.release()
    return 0 if got_one and got_two else 1


def cmd_punch(a) -> int:
    """The hole-punch recipe of DESIGN §9: learn the mapping by STUN, read the
    peer's mapped address from stdin, send low-TTL openers, wait, then probe."""
    s = udp_socket(a.port)
    me = binding(s, parse_addr(a.stun)) if a.stun else s.getsockname()
    emit({"mapped": fmt(me)})
    ready, _, _ = select.select([sys.stdin], [], [], a.timeout)
    if not ready:
        emit({"error": "no peer address on stdin"})
        return 2
    peer = parse_addr(sys.stdin.readline().strip())
    openers_seen = 0
    probes: List[str] = []
    s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, a.ttl)
    for _ in range(3):
        s.sendto(b"open", peer)
    time.sleep(a.wait)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 64)
    deadline = time.monotonic() + a.timeout
    done_at = None
    while time.monotonic() < deadline and (done_at is None or time.monotonic() < done_at):
        s.sendto(b"probe", peer)
        until = time.monotonic() + 0.1
        while True:
            left = until - time.monotonic()
            if left <= 0:
                break
            r, _, _ = select.select([s], [], [], left)
            if not r:
                break
            data, src = s.recvfrom(65536)
            if data == b"open":
                openers_seen += 1
            elif data == b"probe":
                probes.append(fmt(src))
                if done_at is None:
                    done_at = time.monotonic() + 0.5  # keep probing so the peer hears us too
    emit({"probes_from": sorted(set(probes)), "probes": len(probes), "openers_seen": openers_seen})
    return 0 if probes else 1


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("recv"); r.add_argument("port", type=int)
    r.add_argument("--timeout", type=float, default=3.0); r.add_argument("--count", type=int, default=1)
    r.add_argument("--hello", help="IP:PORT to send one datagram to from the socket first")
    s = sub.add_parser("send"); s.add_argument("dest"); s.add_argument("data")
    s.add_argument("--port", type=int, default=0); s.add_argument("--ttl", type=int)
    s.add_argument("--count", type=int, default=1); s.add_argument("--interval", type=float, default=0.1)
    e = sub.add_parser("echo"); e.add_argument("port", type=int); e.add_argument("--timeout", type=float, default=10.0)
    k = sub.add_parser("ask"); k.add_argument("dest"); k.add_argument("data")
    k.add_argument("--port", type=int, default=0); k.add_argument("--timeout", type=float, default=3.0)
    st = sub.add_parser("stun"); st.add_argument("server"); st.add_argument("--port", type=int, default=0)
    st.add_argument("--also", action="append", default=[]); st.add_argument("--timeout", type=float, default=3.0)
    t = sub.add_parser("turn"); t.add_argument("server"); t.add_argument("--user"); t.add_argument("--password")
    t.add_argument("--secret"); t.add_argument("--realm")
    tp = sub.add_parser("turn-pair"); tp.add_argument("server"); tp.add_argument("--user", required=True)
    tp.add_argument("--password", required=True); tp.add_argument("--rest"); tp.add_argument("--secret")
    tp.add_argument("--timeout", type=float, default=5.0)
    pu = sub.add_parser("punch"); pu.add_argument("--port", type=int, default=0); pu.add_argument("--stun")
    pu.add_argument("--ttl", type=int, default=2); pu.add_argument("--wait", type=float, default=0.3)
    pu.add_argument("--timeout", type=float, default=5.0)
    a = p.parse_args(argv)
    handler = {"recv": cmd_recv, "send": cmd_send, "echo": cmd_echo, "ask": cmd_ask, "stun": cmd_stun,
               "turn": cmd_turn, "turn-pair": cmd_turn_pair, "punch": cmd_punch}[a.cmd]
    try:
        return handler(a)
    except (TimeoutError, RuntimeError, PermissionError, OSError) as err:
        emit({"error": f"{type(err).__name__}: {err}"})
        return 1


if __name__ == "__main__":
    sys.exit(main())
