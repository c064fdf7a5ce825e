"""One capture pipeline fanned out to several viewers: a viewer that stops
reading never delays the others, and connect/disconnect churn leaks nothing."""

from __future__ import annotations

import os
import socket
import time

from conftest import ffmpeg_frames


def _rss_kib(pid: int) -> int:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def _threads(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


class StallingReader:
    """A player that reads, then stops reading (its socket buffers fill and
    back-pressure reaches the host), then reads again."""

    def __init__(self, url: str):
        address, _, path = url.removeprefix("http://").partition("/")
        host, port = address.split(":")
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # Small, but above loopback's 64 KiB MSS: with less, the freed window
        # after a stall stays under one segment, Linux sends no window update
        # (silly-window avoidance) and the relay waits on backed-off
        # zero-window probes for seconds, which no real player would see.
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 256 * 1024)
        self.sock.settimeout(10)
        self.sock.connect((host, int(port)))
        self.sock.sendall(f"GET /{path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())

    def read_for(self, seconds: float) -> int:
        got = 0
        deadline = time.monotonic() + seconds
        self.sock.settimeout(0.5)
        while time.monotonic() < deadline:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not data:
                break
            got += len(data)
        return got

    def close(self) -> None:
        self.sock.close()


def test_stalled_viewer_does_not_slow_the_others_and_recovers(procs, start_host, start_viewer):
    # 1280x720 at 4 Mbit/s: real pressure. Fixed rate: this is about the
    # broadcaster keeping viewers apart; how the adaptive rate treats a
    # paused player is RateControllerTests' (it must not follow it down).
    host = start_host("--bitrate-mode", "fixed", fast=False)
    stalled_viewer = start_viewer(host.ticket)
    watchers = [start_viewer(host.ticket) for _ in range(2)]

    reader = StallingReader(stalled_viewer.url)
    try:
        assert reader.read_for(2.0) > 100_000, f"stalling reader got no stream\n{procs.diag()}"
        rss_before = _rss_kib(host.pid)
        # 12 s of video for each watcher while the third viewer reads nothing for 10 s.
        started = time.monotonic()
        runs = [procs.ffmpeg(w.url, frames=360, timeout=40) for w in watchers]
        results = [r.result() for r in runs]
        elapsed = time.monotonic() - started
        for result in results:
            assert result.returncode == 0 and not result.stderr.strip(), f"{result.describe()}\n{procs.diag()}"
            assert ffmpeg_frames(result) >= 360, result.describe()
        # 360 frames at 30 fps is 12 s of live video; a watcher held up by the
        # stalled one would take far longer.
        assert elapsed < 17, f"watchers needed {elapsed:.1f} s for 12 s of video\n{procs.diag()}"
        rss_growth_mib = (_rss_kib(host.pid) - rss_before) / 1024
        assert rss_growth_mib < 64, f"host memory grew {rss_growth_mib:.0f} MiB while a viewer stalled"

        # The stalled viewer catches up: bytes flow again, from a keyframe.
        assert reader.read_for(4.0) > 200_000, f"the stalled viewer did not recover\n{procs.diag()}"
        # The host noticed the backlog and moved that viewer to a newer keyframe.
        assert host.find_stderr("is behind: skipped"), f"no skip-ahead logged\n{host.diag()}"
        assert host.running, host.diag()
    finally:
        reader.close()


def test_fifty_connect_disconnect_cycles_leak_nothing_and_capture_stops(procs, start_host):
    host = start_host()
    viewer = procs.start_viewer(host.ticket)
    # Warm up once so lazily created threads and buffers exist.
    first = procs.run_tool("curl", ["curl", "-s", "-o", "/dev/null", "--max-time", "1", viewer.url], timeout=10)
    assert host.wait_stderr("capture started", 10), host.diag()
    time.sleep(1)
    baseline = (_open_fds(host.pid), _threads(host.pid), _rss_kib(host.pid))
    mark = host.stderr_mark()

    for i in range(50):
        s = socket.create_connection(("127.0.0.1", viewer.local_port), timeout=5)
        s.sendall(f"GET {viewer.path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        s.settimeout(5)
        assert s.recv(4096), f"cycle {i}: no answer\n{procs.diag()}"
        s.close()

    # After the last player leaves, capture stops within the grace period.
    assert host.wait_stderr("capture stopped", 10, start=mark), host.diag()
    time.sleep(1)
    fds, threads, rss = _open_fds(host.pid), _threads(host.pid), _rss_kib(host.pid)
    assert fds <= baseline[0] + 2, f"file descriptors {baseline[0]} → {fds}"
    assert threads <= baseline[1] + 2, f"threads {baseline[1]} → {threads}"
    assert (rss - baseline[2]) / 1024 < 40, f"memory {baseline[2]} KiB → {rss} KiB"
    assert first.returncode in (0, 28), first.describe()
