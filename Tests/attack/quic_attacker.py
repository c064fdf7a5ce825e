"""What a hostile stranger or ticket holder sends a pixelpass host, built on
aioquic (a third-party QUIC stack) so nothing here trusts pixelpass's own
code: crafted client Initials for floods, idle handshakes, and an HTTP/3
client that makes requests on one connection.

Used by Tests/attack (short runs) and scripts/bench-attack (long runs)."""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from typing import Iterable, Optional

from aioquic.asyncio import connect
from aioquic.asyncio.protocol import QuicConnectionProtocol
from aioquic.h3.connection import H3_ALPN, H3Connection
from aioquic.h3.events import DataReceived, HeadersReceived
from aioquic.quic.configuration import QuicConfiguration
from aioquic.quic.connection import QuicConnection
from aioquic.quic.events import ConnectionTerminated


def _client_configuration() -> QuicConfiguration:
    configuration = QuicConfiguration(is_client=True, alpn_protocols=H3_ALPN)
    configuration.verify_mode = ssl.CERT_NONE  # the host's key is pinned by tickets, not a CA
    return configuration


def craft_initials(host: str, port: int, count: int) -> list[bytes]:
    """`count` distinct client Initial datagrams (each a new connection id
    and ClientHello, padded to 1200 bytes), as a real client's first packet."""
    configuration = _client_configuration()
    initials = []
    now = time.time()
    for _ in range(count):
        connection = QuicConnection(configuration=configuration)
        connection.connect((host, port), now=now)
        datagrams = connection.datagrams_to_send(now=now)
        initials.append(datagrams[0][0])
    return initials


def flood(initials: list[bytes], host: str, port: int, rate: float, seconds: float,
          source_ips: Iterable[str] = ("127.0.0.1",), ports_per_ip: int = 500) -> int:
    """Sends the Initials round-robin from `ports_per_ip` sockets on each
    source IP at `rate` per second for `seconds`; returns how many were sent.
    Each Initial is sent once at most (a replay is not a new connection)."""
    sockets = []
    for ip in source_ips:
        for _ in range(ports_per_ip):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((ip, 0))
            s.setblocking(False)
            sockets.append(s)
    sent = 0
    started = time.monotonic()
    try:
        while sent < len(initials):
            elapsed = time.monotonic() - started
            if elapsed >= seconds:
                break
            due = min(len(initials), int(elapsed * rate) + 1)
            while sent < due:
                try:
                    sockets[sent % len(sockets)].sendto(initials[sent], (host, port))
                except (BlockingIOError, OSError):
                    pass
                sent += 1
            time.sleep(0.002)
    finally:
        for s in sockets:
            s.close()
    return sent


class _H3Protocol(QuicConnectionProtocol):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.h3 = H3Connection(self._quic)
        self.responses: dict[int, dict] = {}
        self.waiters: dict[int, asyncio.Future] = {}
        self.terminated: Optional[ConnectionTerminated] = None
        self.closed = asyncio.get_event_loop().create_future()

    def quic_event_received(self, event):
        if isinstance(event, ConnectionTerminated):
            self.terminated = event
            if not self.closed.done():
                self.closed.set_result(event)
            for waiter in self.waiters.values():
                if not waiter.done():
                    waiter.set_exception(ConnectionError(f"connection closed: {event.reason_phrase}"))
            return
        for h3_event in self.h3.handle_event(event):
            stream = getattr(h3_event, "stream_id", None)
            if stream not in self.responses:
                continue
            response = self.responses[stream]
            if isinstance(h3_event, HeadersReceived):
                for name, value in h3_event.headers:
                    if name == b":status":
                        response["status"] = int(value)
            elif isinstance(h3_event, DataReceived):
                response["body"] += h3_event.data
            if getattr(h3_event, "stream_ended", False) and not self.waiters[stream].done():
                self.waiters[stream].set_result(response)

    async def get(self, authority: str, path: str, headers: list[tuple[bytes, bytes]] = (),
                  timeout: float = 5.0) -> dict:
        stream = self._quic.get_next_available_stream_id()
        self.responses[stream] = {"status": 0, "body": b""}
        self.waiters[stream] = asyncio.get_event_loop().create_future()
        self.h3.send_headers(stream, [(b":method", b"GET"), (b":scheme", b"https"),
                                      (b":authority", authority.encode()), (b":path", path.encode()),
                                      *headers], end_stream=True)
        self.transmit()
        try:
            return await asyncio.wait_for(self.waiters[stream], timeout)
        finally:
            self.responses.pop(stream, None)
            self.waiters.pop(stream, None)


def secret_headers(secret: str) -> list[tuple[bytes, bytes]]:
    return [(b"x-pixelpass-secret", secret.encode())]


def connect_h3(host: str, port: int):
    """`async with connect_h3(...) as client`: an aioquic HTTP/3 connection
    to the host (no client certificate: a stranger, or a ticket holder
    that made up its own client)."""
    return connect(host, port, configuration=_client_configuration(), create_protocol=_H3Protocol,
                   wait_connected=True)
