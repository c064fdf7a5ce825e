"""Runs the real pixelpass binary (env PIXELPASS_BIN, default
<repo>/.build/debug/pixelpass) inside a WaylandLab, and the players that read
it. Every process is started in its own group and stopped by `Runner.close()`;
every wait has a timeout."""

from __future__ import annotations

import math
import os
import re
import signal
import struct
import subprocess
import threading
import time
from pathlib import Path
from typing import Optional, Sequence

REPO_ROOT = Path(__file__).resolve().parents[2]


def pixelpass_binary() -> str:
    return os.environ.get("PIXELPASS_BIN", str(REPO_ROOT / ".build" / "debug" / "pixelpass"))


class Proc:
    """A process whose stdout and stderr are collected on threads."""

    def __init__(self, name: str, argv: Sequence[str], env: dict):
        self.name = name
        self.argv = [str(a) for a in argv]
        self.popen = subprocess.Popen(self.argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, start_new_session=True)
        self._out: list[str] = []
        self._err: list[str] = []
        self._lock = threading.Lock()
        for stream, sink in ((self.popen.stdout, self._out), (self.popen.stderr, self._err)):
            threading.Thread(target=self._pump, args=(stream, sink), daemon=True).start()

    def _pump(self, stream, sink) -> None:
        for raw in iter(stream.readline, b""):
            with self._lock:
                sink.append(raw.decode(errors="replace").rstrip("\n"))

    @property
    def stdout_lines(self) -> list[str]:
        with self._lock:
            return list(self._out)

    @property
    def stderr_text(self) -> str:
        with self._lock:
            return "\n".join(self._err)

    def diag(self) -> str:
        return f"--- {self.name} (exit {self.popen.poll()}): {' '.join(self.argv[:6])}\n" + "\n".join(
            self.stderr_text.splitlines()[-40:])

    def wait_stdout_line(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            lines = self.stdout_lines
            if lines:
                return lines[0]
            if self.popen.poll() is not None:
                time.sleep(0.2)
                lines = self.stdout_lines
                if lines:
                    return lines[0]
                raise AssertionError(f"{self.name} exited {self.popen.returncode} before printing a line\n{self.diag()}")
            time.sleep(0.05)
        raise AssertionError(f"{self.name} printed nothing within {timeout} s\n{self.diag()}")

    def wait_stderr(self, pattern: str, timeout: float) -> re.Match:
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = regex.search(self.stderr_text)
            if match:
                return match
            if self.popen.poll() is not None:
                time.sleep(0.2)
                match = regex.search(self.stderr_text)
                if match:
                    return match
                break
            time.sleep(0.05)
        raise AssertionError(f"{self.name}: no {pattern!r} on stderr within {timeout} s\n{self.diag()}")

    def wait_exit(self, timeout: float) -> Optional[int]:
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, sig: int = signal.SIGINT, grace: float = 6.0) -> Optional[int]:
        if self.popen.poll() is None:
            try:
                self.popen.send_signal(sig)
            except ProcessLookupError:
                pass
            if self.wait_exit(grace) is None:
                try:
                    os.killpg(self.popen.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.popen.wait(timeout=5)
        return self.popen.returncode


class Runner:
    """pixelpass hosts and viewers in one lab's environment."""

    def __init__(self, lab):
        self.lab = lab
        self.procs: list[Proc] = []

    def spawn(self, name: str, argv: Sequence[str], env: Optional[dict] = None) -> Proc:
        proc = Proc(name, argv, env or self.lab.env)
        self.procs.append(proc)
        return proc

    def host(self, *args: str, env: Optional[dict] = None, expect_ticket: bool = True) -> Proc:
        argv = [pixelpass_binary(), "host", "--bind", "127.0.0.1:0", "--stun", "none", "--no-port-mapping",
                "--bitrate", "1500", *args]
        host = self.spawn("host", argv, env)
        if expect_ticket:
            host.ticket = host.wait_stdout_line(30)
            assert host.ticket.startswith("pixelpass1-"), host.diag()
        return host

    def viewer(self, ticket: str) -> Proc:
        viewer = self.spawn("viewer", [pixelpass_binary(), "view", ticket, "--player", "none"])
        viewer.url = viewer.wait_stdout_line(20)
        assert viewer.url.startswith("http://127.0.0.1:"), viewer.diag()
        return viewer

    def diag(self) -> str:
        return "\n".join(p.diag() for p in self.procs)

    def close(self) -> None:
        for proc in reversed(self.procs):
            proc.stop()


def decode(url: str, frames: int, timeout: float = 40) -> subprocess.CompletedProcess:
    """ffmpeg decodes `frames` video frames; stderr holds only errors."""
    return subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", url, "-frames:v", str(frames), "-f", "null", "-"],
                          capture_output=True, text=True, timeout=timeout)


def frames_in(url: str, seconds: float, timeout: float = 40) -> tuple[int, str]:
    """Video frames decoded in `seconds` of stream time, and ffmpeg's errors."""
    r = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-stats", "-i", url, "-t", str(seconds), "-map", "0:v:0",
                        "-f", "null", "-"], capture_output=True, text=True, timeout=timeout)
    counts = re.findall(r"frame=\s*(\d+)", r.stderr)
    errors = "\n".join(line for line in r.stderr.splitlines() if not line.startswith("frame=") and line.strip())
    return (int(counts[-1]) if counts else 0), errors


def tone_levels(url: str, seconds: float = 3) -> dict:
    """dB of 440 Hz (ToneA) and 1250 Hz (ToneB) in the stream's audio
    (Goertzel), and its RMS level. Tests/integration/test_app_audio.py uses it too."""
    r = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", url, "-t", str(seconds), "-map", "0:a:0",
                        "-ac", "1", "-ar", "8000", "-f", "s16le", "-"], capture_output=True, timeout=30)
    n = len(r.stdout) // 2
    assert n > 8000 * (seconds - 0.5), f"too little audio decoded ({n} samples): {r.stderr.decode()[-1500:]}"
    samples = struct.unpack(f"<{n}h", r.stdout[:n * 2])

    def power(freq: float) -> float:
        k = 2 * math.cos(2 * math.pi * freq / 8000)
        a = b = 0.0
        for x in samples:
            a, b = x + k * a - b, a
        return 10 * math.log10((a * a + b * b - k * a * b) / n ** 2 + 1e-12)

    rms = math.sqrt(sum(x * x for x in samples) / n)
    return {"ToneA": power(440), "ToneB": power(1250), "rms": rms}
