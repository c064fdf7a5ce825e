#!/usr/bin/env python3
"""A tiny pure-Python KRPC (BitTorrent mainline DHT, BEP 5) client for the
netlab: it sends one query to each of the given nodes directly (no iterative
lookup: in the lab it asks every node) and prints JSON lines. Any python3;
no libtorrent. Timeouts everywhere.

  krpc.py ping --nodes IP:PORT,...
  krpc.py find-node [TARGET] --nodes ...           -> {"nodes_per_reply": [...], "known": [...]}
  krpc.py get-peers INFOHASH --nodes ...           -> {"values": [...], "ip": [...], "replies": N}
  krpc.py announce INFOHASH --nodes ... [--implied-port] [--announce-port N]
                                                   -> {"stored": N, "ip": [...]}  (BEP 5 announce_peer
                                                      with a token from get_peers to the same node)
  krpc.py lookup INFOHASH --nodes BOOTSTRAP,... [--announce [--implied-port] [--announce-port N]]
                                                   -> {"values": [...], "closest": [8 nodes], "rounds": N,
                                                      "stored": N}  (iterative get_peers from the given
                                                      nodes, as a DHT client does; --announce: then
                                                      announce_peer to the 8 closest)
  krpc.py put-immutable VALUE --nodes ...          -> {"target": hex, "stored": N}   (BEP 44)
  krpc.py get-immutable TARGET --nodes ...         -> {"values": [...]}
  krpc.py put-mutable VALUE --seed HEX32 [--salt S] --seq N --nodes ...   (needs `cryptography`)
  krpc.py get-mutable --seed HEX32 [--salt S] --nodes ...                 -> {"items": [{"seq","v"}]}

Common options: --port P (local UDP port, default random), --timeout S (per
round, default 2). "ip" lists the BEP 42 `ip` field of the replies (the
requester's address as each node saw it, "ip:port"). Values are printed as
UTF-8 text when they are strings.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import select
import socket
import struct
import sys
import time
from typing import Dict, List, Optional, Tuple

Addr = Tuple[str, int]


# ----- bencode ----------------------------------------------------------------

def bencode(value) -> bytes:
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, (bytes, bytearray)):
        return b"%d:%s" % (len(value), bytes(value))
    if isinstance(value, (list, tuple)):
        return b"l" + b"".join(bencode(v) for v in value) + b"e"
    if isinstance(value, dict):
        items = sorted((k.encode() if isinstance(k, str) else k, v) for k, v in value.items())
        return b"d" + b"".join(bencode(k) + bencode(v) for k, v in items) + b"e"
    raise TypeError(f"cannot bencode {type(value).__name__}")


def bdecode(data: bytes):
    value, end = _bdecode(data, 0)
    if end != len(data):
        raise ValueError("trailing data")
    return value


def _bdecode(data: bytes, i: int):
    c = data[i:i + 1]
    if c == b"i":
        end = data.index(b"e", i)
        return int(data[i + 1:end]), end + 1
    if c == b"l":
        i += 1
        out = []
        while data[i:i + 1] != b"e":
            v, i = _bdecode(data, i)
            out.append(v)
        return out, i + 1
    if c == b"d":
        i += 1
        out = {}
        while data[i:i + 1] != b"e":
            k, i = _bdecode(data, i)
            v, i = _bdecode(data, i)
            out[k] = v
        return out, i + 1
    if c.isdigit():
        colon = data.index(b":", i)
        n = int(data[i:colon])
        start = colon + 1
        if start + n > len(data):
            raise ValueError("short string")
        return data[start:start + n], start + n
    raise ValueError(f"bad bencode at {i}")


# ----- addresses ------------------------------------------------------------------

def parse_addr(text: str) -> Addr:
    host, _, port = text.rpartition(":")
    return host, int(port)


def fmt(addr: Addr) -> str:
    return f"{addr[0]}:{addr[1]}"


def compact(data: bytes) -> str:
    """6-byte compact IPv4 address -> "ip:port"."""
    return f"{socket.inet_ntoa(data[:4])}:{struct.unpack('!H', data[4:6])[0]}"


# ----- client ---------------------------------------------------------------------

class Client:
    def __init__(self, port: int = 0, timeout: float = 2.0) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("0.0.0.0", port))
        self.timeout = timeout
        self.id = os.urandom(20)

    def close(self) -> None:
        self.sock.close()

    def query_all(self, nodes: List[Addr], q: str, args_for, tries: int = 2) -> Dict[Addr, dict]:
        """Sends query `q` to every node (args_for(node) -> args dict, or None
        to skip the node), resending to the silent ones `tries` times; returns
        {node: whole reply message} for the nodes that answered (replies with
        "y" == "e" included)."""
        replies: Dict[Addr, dict] = {}
        pending = {}
        for node in nodes:
            args = args_for(node)
            if args is not None:
                pending[node] = args
        for _ in range(tries):
            sent: Dict[bytes, Addr] = {}
            for node, args in pending.items():
                if node in replies:
                    continue
                tid = os.urandom(4)
                sent[tid] = node
                msg = {"t": tid, "y": "q", "q": q, "ro": 1, "a": dict(args, id=self.id)}
                self.sock.sendto(bencode(msg), node)
            deadline = time.monotonic() + self.timeout
            while sent and time.monotonic() < deadline:
                ready, _, _ = select.select([self.sock], [], [], max(0.0, deadline - time.monotonic()))
                if not ready:
                    break
                data, src = self.sock.recvfrom(65536)
                try:
                    msg = bdecode(data)
                except (ValueError, IndexError):
                    continue
                if not isinstance(msg, dict):
                    continue
                node = sent.get(msg.get(b"t"))
                if node is None or node != src:
                    continue
                del sent[msg[b"t"]]
                replies[node] = msg
            if not sent:
                break
        return replies


def ip_fields(replies: Dict[Addr, dict]) -> List[str]:
    return sorted({compact(m[b"ip"]) for m in replies.values() if len(m.get(b"ip", b"")) == 6})


def text(value):
    if isinstance(value, bytes):
        try:
            return value.decode()
        except UnicodeDecodeError:
            return value.hex()
    return value


def errors(replies: Dict[Addr, dict]) -> List[str]:
    return [f"{fmt(n)}: {text(m.get(b'e'))}" for n, m in replies.items() if m.get(b"y") == b"e"]


def answers(replies: Dict[Addr, dict]) -> Dict[Addr, dict]:
    return {n: m[b"r"] for n, m in replies.items() if m.get(b"y") == b"r" and isinstance(m.get(b"r"), dict)}


# ----- BEP 44 helpers -----------------------------------------------------------------

def _signing_key(seed_hex: str):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives import serialization
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(seed_hex))
    pub = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return key, pub


def mutable_target(pub: bytes, salt: bytes) -> bytes:
    return hashlib.sha1(pub + salt).digest()


def signed_part(salt: bytes, seq: int, v_bencoded: bytes) -> bytes:
    out = b""
    if salt:
        out += b"4:salt" + bencode(salt)
    return out + b"3:seqi%de1:v" % seq + v_bencoded


# ----- iterative lookup -----------------------------------------------------------

def lookup(client: Client, bootstrap: List[Addr], info_hash: bytes, args, k: int = 8, alpha: int = 4,
           max_rounds: int = 12) -> dict:
    """BEP 5 get_peers lookup: query the `alpha` closest not yet queried
    nodes (unknown ids first: the bootstrap nodes) until the `k` closest
    known nodes (silent ones left out) have all been queried."""
    ids: Dict[Addr, Optional[bytes]] = {n: None for n in bootstrap}
    queried, answered, tokens, values = set(), {}, {}, set()

    def distance(node: Addr) -> int:
        nid = ids.get(node)
        return -1 if nid is None else int.from_bytes(nid, "big") ^ int.from_bytes(info_hash, "big")

    rounds = 0
    while rounds < max_rounds:
        # done when the k closest nodes known so far have all been asked
        # (unknown ids sort first, so the bootstrap nodes are asked first)
        candidates = sorted((n for n in ids if n in answered or n not in queried), key=distance)[:k]
        batch = [n for n in candidates if n not in queried][:alpha]
        if not batch:
            break
        rounds += 1
        queried.update(batch)
        for node, r in answers(client.query_all(batch, "get_peers", lambda n: {"info_hash": info_hash})).items():
            if isinstance(r.get(b"id"), bytes) and len(r[b"id"]) == 20:
                ids[node] = r[b"id"]
            answered[node] = True
            if b"token" in r:
                tokens[node] = r[b"token"]
            for v in r.get(b"values") or []:
                if isinstance(v, bytes) and len(v) == 6:
                    values.add(compact(v))
            blob = r.get(b"nodes", b"")
            for i in range(0, len(blob) - 25, 26):
                addr = parse_addr(compact(blob[i + 20:i + 26]))
                if addr not in ids or ids[addr] is None:
                    ids[addr] = blob[i:i + 20]
    closest = sorted(answered, key=distance)[:k]
    out = {"values": sorted(values), "closest": [fmt(n) for n in closest], "rounds": rounds,
           "queried": len(queried)}
    if args.announce:
        def announce_args(node):
            if node not in tokens:
                return None
            a = {"info_hash": info_hash, "port": args.announce_port or 1, "token": tokens[node]}
            if args.implied_port:
                a["implied_port"] = 1
            return a
        stored = client.query_all(closest, "announce_peer", announce_args)
        out.update(stored=len(answers(stored)), ip=ip_fields(stored), errors=errors(stored))
    return out


# ----- commands ---------------------------------------------------------------------

def emit(obj: dict) -> None:
    print(json.dumps(obj), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["ping", "find-node", "lookup", "get-peers", "announce", "put-immutable", "get-immutable",
                                            "put-mutable", "get-mutable"])
    parser.add_argument("arg", nargs="?")
    parser.add_argument("--nodes", required=True, help="IP:PORT,IP:PORT,...")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=2.0)
    parser.add_argument("--implied-port", action="store_true")
    parser.add_argument("--announce", action="store_true")
    parser.add_argument("--announce-port", type=int, default=0)
    parser.add_argument("--seed", help="ed25519 private key seed, 64 hex digits (mutable items)")
    parser.add_argument("--salt", default="")
    parser.add_argument("--seq", type=int, default=1)
    args = parser.parse_args()

    nodes = [parse_addr(n) for n in args.nodes.split(",") if n]
    client = Client(args.port, args.timeout)
    try:
        if args.command == "ping":
            replies = client.query_all(nodes, "ping", lambda n: {})
            for node, r in answers(replies).items():
                emit({"node": fmt(node), "id": r.get(b"id", b"").hex(),
                      "ip": compact(replies[node][b"ip"]) if len(replies[node].get(b"ip", b"")) == 6 else None})
            emit({"replies": len(answers(replies)), "ip": ip_fields(replies), "errors": errors(replies)})

        elif args.command == "find-node":
            target = bytes.fromhex(args.arg) if args.arg else os.urandom(20)
            got = answers(client.query_all(nodes, "find_node", lambda n: {"target": target}))
            per_reply, known = [], set()
            for r in got.values():
                blob = r.get(b"nodes", b"")
                entries = [compact(blob[i + 20:i + 26]) for i in range(0, len(blob) - 25, 26)]
                per_reply.append(len(entries))
                known.update(entries)
            emit({"nodes_per_reply": per_reply, "known": sorted(known), "replies": len(got)})

        elif args.command == "lookup":
            emit(lookup(client, nodes, bytes.fromhex(args.arg), args))

        elif args.command in ("get-peers", "announce"):
            info_hash = bytes.fromhex(args.arg)
            assert len(info_hash) == 20, "INFOHASH: 40 hex digits"
            replies = client.query_all(nodes, "get_peers", lambda n: {"info_hash": info_hash})
            got = answers(replies)
            values = sorted({compact(v) for r in got.values() for v in (r.get(b"values") or [])
                             if isinstance(v, bytes) and len(v) == 6})
            if args.command == "get-peers":
                emit({"values": values, "ip": ip_fields(replies), "replies": len(got),
                      "errors": errors(replies)})
                return 0
            tokens = {n: r[b"token"] for n, r in got.items() if b"token" in r}

            def announce_args(node):
                if node not in tokens:
                    return None
                a = {"info_hash": info_hash, "port": args.announce_port or 1, "token": tokens[node]}
                if args.implied_port:
                    a["implied_port"] = 1
                return a
            stored = client.query_all(nodes, "announce_peer", announce_args)
            emit({"stored": len(answers(stored)), "tokens": len(tokens),
                  "ip": ip_fields(stored) or ip_fields(replies), "errors": errors(stored)})

        elif args.command == "put-immutable":
            v = args.arg.encode()
            target = hashlib.sha1(bencode(v)).digest()
            replies = answers(client.query_all(nodes, "get", lambda n: {"target": target}))
            tokens = {n: r[b"token"] for n, r in replies.items() if b"token" in r}
            stored = client.query_all(nodes, "put", lambda n: {"token": tokens[n], "v": v} if n in tokens else None)
            emit({"target": target.hex(), "stored": len(answers(stored)), "errors": errors(stored)})

        elif args.command == "get-immutable":
            target = bytes.fromhex(args.arg)
            replies = client.query_all(nodes, "get", lambda n: {"target": target})
            values = sorted({text(r[b"v"]) for r in answers(replies).values() if b"v" in r
                             and hashlib.sha1(bencode(r[b"v"])).digest() == target})
            emit({"values": values, "replies": len(answers(replies))})

        elif args.command == "put-mutable":
            key, pub = _signing_key(args.seed)
            salt = args.salt.encode()
            target = mutable_target(pub, salt)
            v = args.arg.encode()
            sig = key.sign(signed_part(salt, args.seq, bencode(v)))
            replies = answers(client.query_all(nodes, "get", lambda n: {"target": target}))
            tokens = {n: r[b"token"] for n, r in replies.items() if b"token" in r}

            def put_args(node):
                if node not in tokens:
                    return None
                a = {"token": tokens[node], "v": v, "k": pub, "seq": args.seq, "sig": sig}
                if salt:
                    a["salt"] = salt
                return a
            stored = client.query_all(nodes, "put", put_args)
            emit({"target": target.hex(), "stored": len(answers(stored)), "errors": errors(stored)})

        elif args.command == "get-mutable":
            from cryptography.exceptions import InvalidSignature
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
            _, pub = _signing_key(args.seed)
            salt = args.salt.encode()
            target = mutable_target(pub, salt)
            replies = answers(client.query_all(nodes, "get", lambda n: {"target": target}))
            items = set()
            for r in replies.values():
                if b"v" not in r or r.get(b"k") != pub:
                    continue
                try:
                    Ed25519PublicKey.from_public_bytes(pub).verify(
                        r[b"sig"], signed_part(salt, r[b"seq"], bencode(r[b"v"])))
                except (InvalidSignature, KeyError):
                    continue
                items.add((r[b"seq"], text(r[b"v"])))
            emit({"target": target.hex(), "items": [{"seq": s, "v": v} for s, v in sorted(items)],
                  "replies": len(replies)})
    finally:
        client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
