"""Watches a viewer's stream the way a player would and records when bytes
arrived, so an attack can be judged by what the legitimate viewer got:
bytes, and the longest gap without any."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from typing import Optional


class StreamWatch:
    def __init__(self, url: str):
        m = re.fullmatch(r"http://(127\.0\.0\.1):(\d+)(/.*)", url)
        assert m, f"not a loopback http URL: {url!r}"
        self._address = (m.group(1), int(m.group(2)))
        self._path = m.group(3)
        self.status: Optional[int] = None
        self.arrivals: list[tuple[float, int]] = []
        self.error: Optional[BaseException] = None
        self._stop = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            with socket.create_connection(self._address, timeout=10) as sock:
                sock.settimeout(1.0)
                sock.sendall(f"GET {self._path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
                head = b""
                for chunk in self._chunks(sock):
                    if self.status is None:
                        head += chunk
                        if b"\r\n\r\n" not in head:
                            continue
                        self.status = int(head.split(b"\r\n", 1)[0].split()[1])
                        chunk = head.partition(b"\r\n\r\n")[2]
                    if chunk:
                        self._arrived(len(chunk))
        except BaseException as error:  # noqa: BLE001 - reported by the test
            self.error = error

    def _chunks(self, sock):
        """What the socket delivers until the server closes or we stop."""
        while not self._stop:
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                continue
            if not chunk:
                return
            yield chunk

    def _arrived(self, count: int) -> None:
        with self._lock:
            self.arrivals.append((time.monotonic(), count))

    def wait_bytes(self, count: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.bytes_between(0, float("inf")) >= count:
                return True
            time.sleep(0.05)
        return False

    def bytes_between(self, start: float, end: float) -> int:
        with self._lock:
            return sum(n for t, n in self.arrivals if start <= t <= end)

    def longest_gap(self, start: float, end: float) -> float:
        """The longest time without bytes inside [start, end]."""
        with self._lock:
            times = [t for t, _ in self.arrivals if start <= t <= end]
        edges = [start, *times, end]
        return max(b - a for a, b in zip(edges, edges[1:]))

    def close(self) -> None:
        self._stop = True
        self._thread.join(timeout=3)

    def describe(self) -> str:
        return f"stream watch: status={self.status} bytes={self.bytes_between(0, float('inf'))} error={self.error!r}"


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (VmRSS)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class RssSampler:
    """Samples a process's RSS every 0.2 s on a thread; `peak` is the most seen."""

    def __init__(self, pid: int):
        self.pid = pid
        self.peak = 0.0
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop and os.path.exists(f"/proc/{self.pid}"):
            try:
                self.peak = max(self.peak, rss_mb(self.pid))
            except OSError:
                return
            time.sleep(0.2)

    def stop(self) -> float:
        self._stop = True
        self._thread.join(timeout=2)
        return self.peak
