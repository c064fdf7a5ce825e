"""Shared fixtures for the pixelpass loopback integration tests.

Everything here drives the real `pixelpass` binary (env PIXELPASS_BIN, default
<repo>/.build/debug/pixelpass) and real players over loopback only:

* `procs` (function scope) is a registry of every process and HTTP reader a
  test starts. At teardown it SIGINTs what still runs, SIGKILLs the process
  group after a timeout and reaps everything, so nothing outlives a test even
  when it fails. `procs.diag()` renders every process's stderr for assertion
  messages.
* `start_host(...)` starts `pixelpass host --source test` bound to 127.0.0.1
  (never anything else) and waits for its ticket; `start_viewer(ticket)` starts
  `pixelpass view TICKET --player none` and waits for its URL.
* `run_tool(...)` runs a player / probe to completion with a hard timeout.
* `HttpStreamReader` reads the viewer's close-delimited HTTP/1.1 stream on a
  thread and records bytes and EOF, so a test can see a response end.

Every wait has a timeout, and a per-test watchdog (SIGALRM) fails any test that
runs far longer than expected instead of hanging the suite.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence, Union

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BIN = REPO_ROOT / ".build" / "debug" / "pixelpass"

# Settings for tests whose point is not picture quality.
FAST = ("--size", "640x360", "--bitrate", "1000")

# Hard ceiling for one test (seconds): generous, only there so nothing hangs.
TEST_WATCHDOG_SECONDS = 120

# How long teardown gives a process to exit after SIGINT before SIGKILL.
STOP_GRACE_SECONDS = 5.0

Pattern = Union[str, "re.Pattern[str]"]


def pixelpass_binary() -> Path:
    return Path(os.environ.get("PIXELPASS_BIN", str(DEFAULT_BIN)))


def require_tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is not installed, but this test needs it"
    return path


def free_udp_port() -> int:
    """A UDP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _compile(pattern: Pattern) -> "re.Pattern[str]":
    if isinstance(pattern, re.Pattern):
        return pattern
    return re.compile(re.escape(pattern))


def _tail(text: str, lines: int = 80) -> str:
    parts = text.splitlines()
    if len(parts) > lines:
        parts = [f"… ({len(parts) - lines} earlier lines omitted)"] + parts[-lines:]
    return "\n".join(parts)


# --------------------------------------------------------------------------
# Processes


class ManagedProcess:
    """A child process whose stdout and stderr are pumped on threads into
    line lists (with arrival times), so waiting for a line never blocks on a
    pipe and the child never blocks on a full pipe."""

    def __init__(self, name: str, argv: Sequence[str], env: Optional[dict] = None,
                 cwd: Optional[str] = None, stdin_pipe: bool = False):
        self.name = name
        self.argv = [str(a) for a in argv]
        self._cond = threading.Condition()
        self.stdout_lines: list[str] = []
        self.stderr_lines: list[str] = []
        self.stderr_times: list[float] = []
        self._eof = {"stdout": False, "stderr": False}
        self.started_at = time.monotonic()
        self.exited_at: Optional[float] = None
        self.popen = subprocess.Popen(
            self.argv,
            stdin=subprocess.PIPE if stdin_pipe else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=cwd,
            # Own process group: a terminal Ctrl-C does not reach it, and
            # teardown can SIGKILL everything it spawned (e.g. runuser → vlc).
            start_new_session=True,
        )
        self._threads = [
            threading.Thread(target=self._pump, args=(self.popen.stdout, "stdout"), daemon=True),
            threading.Thread(target=self._pump, args=(self.popen.stderr, "stderr"), daemon=True),
        ]
        for t in self._threads:
            t.start()

    def send_line(self, line: str) -> None:
        """Writes a line to the child's stdin (started with stdin_pipe=True)."""
        assert self.popen.stdin is not None, f"{self.name} was started without a stdin pipe"
        self.popen.stdin.write((line + "\n").encode())
        self.popen.stdin.flush()

    # -- pumping

    def _pump(self, stream, which: str) -> None:
        try:
            for raw in iter(stream.readline, b""):
                line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                with self._cond:
                    if which == "stdout":
                        self.stdout_lines.append(line)
                    else:
                        self.stderr_lines.append(line)
                        self.stderr_times.append(time.monotonic())
                    self._cond.notify_all()
        except (OSError, ValueError):
            pass
        finally:
            with self._cond:
                self._eof[which] = True
                self._cond.notify_all()

    # -- state

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def returncode(self) -> Optional[int]:
        return self.poll()

    def poll(self) -> Optional[int]:
        rc = self.popen.poll()
        if rc is not None and self.exited_at is None:
            self.exited_at = time.monotonic()
        return rc

    def running(self) -> bool:
        return self.poll() is None

    @property
    def stdout_text(self) -> str:
        with self._cond:
            return "\n".join(self.stdout_lines)

    @property
    def stderr_text(self) -> str:
        with self._cond:
            return "\n".join(self.stderr_lines)

    def stderr_mark(self) -> int:
        """The number of stderr lines so far, to search only later ones."""
        with self._cond:
            return len(self.stderr_lines)

    def stderr_since(self, mark: int) -> list[str]:
        with self._cond:
            return list(self.stderr_lines[mark:])

    def diag(self, tail: int = 80) -> str:
        rc = self.poll()
        state = "running" if rc is None else f"exited {rc}"
        out = _tail(self.stdout_text, 10)
        return (f"----- {self.name} (pid {self.pid}, {state}): {' '.join(self.argv)}\n"
                f"stdout:\n{out}\nstderr:\n{_tail(self.stderr_text, tail)}")

    # -- waiting

    def wait_exit(self, timeout: float) -> Optional[int]:
        """The exit code, or None if still running after `timeout`."""
        try:
            self.popen.wait(timeout=max(0.0, timeout))
        except subprocess.TimeoutExpired:
            return None
        return self.poll()

    def wait_first_stdout_line(self, timeout: float, context: Callable[[], str] = lambda: "") -> str:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                if self.stdout_lines:
                    return self.stdout_lines[0]
                if self._eof["stdout"]:
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(min(remaining, 0.2))
        self.wait_exit(0.5)
        raise AssertionError(
            f"{self.name} printed no line on stdout within {timeout:.1f} s\n{context() or self.diag()}")

    def find_stderr(self, pattern: Pattern, start: int = 0) -> Optional[tuple[int, "re.Match[str]"]]:
        regex = _compile(pattern)
        with self._cond:
            for i in range(start, len(self.stderr_lines)):
                m = regex.search(self.stderr_lines[i])
                if m:
                    return i, m
        return None

    def wait_stderr(self, pattern: Pattern, timeout: float, start: int = 0,
                    context: Callable[[], str] = lambda: "") -> tuple[int, float]:
        """Waits for a stderr line matching `pattern` (at index >= start).
        Returns (line index, monotonic arrival time). Fails with diagnostics."""
        regex = _compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            i = start
            while True:
                while i < len(self.stderr_lines):
                    if regex.search(self.stderr_lines[i]):
                        return i, self.stderr_times[i]
                    i += 1
                if self._eof["stderr"]:
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(min(remaining, 0.2))
        raise AssertionError(
            f"{self.name}: no stderr line matching {regex.pattern!r} within {timeout:.1f} s "
            f"(searched from line {start})\n{context() or self.diag()}")

    # -- stopping

    def send_signal(self, sig: int) -> None:
        if self.running():
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass

    def kill_group(self) -> None:
        """SIGKILLs the child's process group (it is its own session leader),
        but only while the child is not reaped: its id cannot have been
        reused yet, so only processes this test started are hit."""
        if self.popen.returncode is not None:
            return
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def stop(self, sig: int = signal.SIGINT, timeout: float = STOP_GRACE_SECONDS) -> Optional[int]:
        """Sends `sig`, waits up to `timeout`, then SIGKILLs the group. Returns
        the exit code observed (negative if it had to be killed)."""
        if self.running():
            self.send_signal(sig)
            if self.wait_exit(timeout) is None:
                self.kill_group()
                self.wait_exit(5)
        return self.poll()

    def reap(self) -> None:
        self.stop()
        for t in self._threads:
            t.join(timeout=2)
        for stream in (self.popen.stdout, self.popen.stderr):
            try:
                stream.close()
            except Exception:
                pass


class HostProcess(ManagedProcess):
    """`pixelpass host`, with its ticket and the ticket's fields."""

    ticket: str
    info: dict

    @property
    def address(self) -> str:
        return self.info["addresses"][0]

    @property
    def port(self) -> int:
        return int(self.address.rsplit(":", 1)[1])

    @property
    def secret(self) -> str:
        return self.info["secret"]

    @property
    def fingerprint(self) -> str:
        return self.info["fingerprint_sha256"]


# The viewer's local URL: loopback, a port, and the random token only
# those given the URL know.
VIEWER_URL = re.compile(r"http://127\.0\.0\.1:(\d+)/([0-9a-f]{32})/")


class ViewerProcess(ManagedProcess):
    """`pixelpass view TICKET --player none`, with its local URL."""

    url: str

    @property
    def local_port(self) -> int:
        m = VIEWER_URL.fullmatch(self.url)
        assert m, f"viewer URL {self.url!r} is not http://127.0.0.1:PORT/TOKEN/"
        return int(m.group(1))

    @property
    def path(self) -> str:
        """The URL's path (/TOKEN/), for raw requests."""
        m = VIEWER_URL.fullmatch(self.url)
        assert m, f"viewer URL {self.url!r} is not http://127.0.0.1:PORT/TOKEN/"
        return f"/{m.group(2)}/"


@dataclass
class ToolResult:
    argv: list
    returncode: Optional[int]
    stdout: str
    stderr: str
    elapsed: float
    timed_out: bool

    def describe(self) -> str:
        state = "TIMED OUT (killed)" if self.timed_out else f"exit {self.returncode}"
        return (f"----- {' '.join(self.argv)}: {state} after {self.elapsed:.1f} s\n"
                f"stdout:\n{_tail(self.stdout, 40)}\nstderr:\n{_tail(self.stderr, 60)}")


class BackgroundTool:
    """A tool (player, probe) running to completion with a hard timeout."""

    def __init__(self, registry: "ProcessRegistry", name: str, argv: Sequence[str], timeout: float,
                 env: Optional[dict] = None, cwd: Optional[str] = None):
        self.timeout = timeout
        self.proc = registry.spawn(ManagedProcess, name, argv, env=env, cwd=cwd)

    def result(self, extra_timeout: float = 0.0) -> ToolResult:
        proc = self.proc
        remaining = self.timeout + extra_timeout - (time.monotonic() - proc.started_at)
        rc = proc.wait_exit(remaining)
        timed_out = rc is None
        if timed_out:
            proc.kill_group()
            proc.wait_exit(5)
        for t in proc._threads:
            t.join(timeout=2)
        end = proc.exited_at or time.monotonic()
        return ToolResult(proc.argv, None if timed_out else proc.poll(), proc.stdout_text,
                          proc.stderr_text, end - proc.started_at, timed_out)


# --------------------------------------------------------------------------
# HTTP reader for the viewer's local relay


class HttpStreamReader:
    """GETs a URL on 127.0.0.1 over a raw socket on a thread and keeps
    reading the (close-delimited) body: counts bytes, keeps the first ones,
    and records when the server ended the response."""

    KEEP = 1 << 20

    def __init__(self, url: str, read_timeout: float = 30.0):
        m = re.fullmatch(r"http://(127\.0\.0\.1):(\d+)(/.*)", url)
        assert m, f"not a loopback http URL: {url!r}"
        self.url = url
        self._addr = (m.group(1), int(m.group(2)))
        self._path = m.group(3)
        self._read_timeout = read_timeout
        self._cond = threading.Condition()
        self.status: Optional[int] = None
        self.header_text = ""
        self.body_bytes = 0
        self.head = bytearray()
        self.eof_at: Optional[float] = None
        self.error: Optional[BaseException] = None
        self.closed_by_us = False
        self._sock: Optional[socket.socket] = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            sock = socket.create_connection(self._addr, timeout=10)
            self._sock = sock
            sock.settimeout(self._read_timeout)
            sock.sendall(f"GET {self._path} HTTP/1.1\r\nHost: {self._addr[0]}:{self._addr[1]}\r\n"
                         f"User-Agent: pixelpass-tests\r\n\r\n".encode())
            buf = b""
            while b"\r\n\r\n" not in buf:
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionError(f"connection closed before the response head: {buf!r}")
                buf += chunk
            head, _, rest = buf.partition(b"\r\n\r\n")
            with self._cond:
                self.header_text = head.decode("latin-1")
                self.status = int(self.header_text.split(" ", 2)[1])
                self._take(rest)
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                with self._cond:
                    self._take(chunk)
        except BaseException as e:  # noqa: BLE001 - recorded for the test
            with self._cond:
                self.error = e
        finally:
            with self._cond:
                self.eof_at = time.monotonic()
                self._cond.notify_all()
            if self._sock is not None:
                try:
                    self._sock.close()
                except OSError:
                    pass

    def _take(self, chunk: bytes) -> None:
        self.body_bytes += len(chunk)
        if len(self.head) < self.KEEP:
            self.head += chunk[: self.KEEP - len(self.head)]
        self._cond.notify_all()

    @property
    def ended(self) -> bool:
        return self.eof_at is not None

    def wait_bytes(self, count: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.body_bytes < count and self.eof_at is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(min(remaining, 0.2))
            return self.body_bytes >= count

    def wait_end(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.eof_at is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(min(remaining, 0.2))
            return self.eof_at is not None

    def describe(self) -> str:
        return (f"----- HTTP reader {self.url}: status={self.status} body_bytes={self.body_bytes} "
                f"ended={self.ended} error={self.error!r}\n{self.header_text}")

    def close(self) -> None:
        with self._cond:
            if self.eof_at is None:
                self.closed_by_us = True
        sock = self._sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._thread.join(timeout=5)


def http_get(url: str, timeout: float = 10.0, max_body: int = 1 << 16) -> tuple[int, str, bytes]:
    """One short GET on the local relay: (status, head, first body bytes)."""
    m = re.fullmatch(r"http://(127\.0\.0\.1):(\d+)(/.*)", url)
    assert m, f"not a loopback http URL: {url!r}"
    with socket.create_connection((m.group(1), int(m.group(2))), timeout=timeout) as sock:
        sock.settimeout(timeout)
        sock.sendall(f"GET {m.group(3)} HTTP/1.1\r\nHost: {m.group(1)}\r\n\r\n".encode())
        buf = b""
        deadline = time.monotonic() + timeout
        while len(buf) < max_body and time.monotonic() < deadline:
            chunk = sock.recv(65536)
            if not chunk:
                break
            buf += chunk
            if b"\r\n\r\n" in buf:
                head = buf.split(b"\r\n\r\n", 1)[0].decode("latin-1")
                cl = re.search(r"(?im)^content-length:\s*(\d+)", head)
                if cl and len(buf) >= len(head) + 4 + int(cl.group(1)):
                    break
    head, _, body = buf.partition(b"\r\n\r\n")
    head_text = head.decode("latin-1")
    status = int(head_text.split(" ", 2)[1]) if head_text.startswith("HTTP/") else -1
    return status, head_text, body


# --------------------------------------------------------------------------
# Registry


class ProcessRegistry:
    """Tracks everything a test starts and tears it all down."""

    def __init__(self, binary: Path):
        self.binary = binary
        self.processes: list[ManagedProcess] = []
        self.readers: list[HttpStreamReader] = []

    def spawn(self, cls, name: str, argv: Sequence[str], **kw) -> ManagedProcess:
        proc = cls(name, argv, **kw)
        self.processes.append(proc)
        return proc

    # pixelpass

    def pixelpass_argv(self, *args: str) -> list[str]:
        return [str(self.binary), *args]

    def start_host(self, *extra: str, bind: str = "127.0.0.1:0", fast: bool = True,
                   audio: bool = True, name: Optional[str] = None,
                   ticket_timeout: float = 15.0, stdin_pipe: bool = False) -> HostProcess:
        # Network tests may only ever target loopback.
        assert bind.startswith("127.0.0.1:"), f"tests must bind hosts to 127.0.0.1, not {bind!r}"
        args = ["host", "--source", "test", "--bind", bind]
        if fast:
            args += FAST
        if not audio:
            args.append("--no-audio")
        args += list(extra)
        n = sum(isinstance(p, HostProcess) for p in self.processes)
        host = self.spawn(HostProcess, name or f"host{n + 1}", self.pixelpass_argv(*args), stdin_pipe=stdin_pipe)
        ticket = host.wait_first_stdout_line(ticket_timeout)
        assert re.fullmatch(r"pixelpass1-[a-z2-7]+", ticket), \
            f"host's first stdout line is not a ticket: {ticket!r}\n{host.diag()}"
        host.ticket = ticket
        host.info = self.inspect(ticket)
        assert host.info["addresses"] and all(a.startswith("127.0.0.1:") for a in host.info["addresses"]), \
            f"host bound to {bind} advertises non-loopback addresses: {host.info}\n{host.diag()}"
        return host

    def inspect(self, ticket: str) -> dict:
        r = subprocess.run(self.pixelpass_argv("ticket", "inspect", ticket), capture_output=True,
                           text=True, timeout=10)
        assert r.returncode == 0, f"ticket inspect failed ({r.returncode}): {r.stderr}"
        return json.loads(r.stdout)

    def start_viewer(self, ticket: str, *extra: str, shorthand: bool = False,
                     name: Optional[str] = None, url_timeout: float = 12.0,
                     expect_url: bool = True, env: Optional[dict] = None) -> ViewerProcess:
        args = ([] if shorthand else ["view"]) + [ticket, "--player", "none", *extra]
        n = sum(isinstance(p, ViewerProcess) for p in self.processes)
        viewer = self.spawn(ViewerProcess, name or f"viewer{n + 1}", self.pixelpass_argv(*args), env=env)
        if expect_url:
            url = viewer.wait_first_stdout_line(url_timeout, context=self.diag)
            assert VIEWER_URL.fullmatch(url), \
                f"viewer's first stdout line is not a local URL with its token: {url!r}\n{self.diag()}"
            viewer.url = url
        return viewer

    # tools

    def tool(self, name: str, argv: Sequence[str], timeout: float, **kw) -> BackgroundTool:
        return BackgroundTool(self, name, argv, timeout, **kw)

    def run_tool(self, name: str, argv: Sequence[str], timeout: float, **kw) -> ToolResult:
        return self.tool(name, argv, timeout, **kw).result()

    def ffmpeg(self, url: str, frames: int, timeout: float = 40.0) -> BackgroundTool:
        """`ffmpeg -v error -i URL -frames:v N -f null -` (plus -progress on
        stdout so the test can read how many frames were decoded)."""
        require_tool("ffmpeg")
        return self.tool("ffmpeg", ["ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-progress", "pipe:1",
                                    "-i", url, "-frames:v", str(frames), "-f", "null", "-"], timeout)

    def http_reader(self, url: str, read_timeout: float = 30.0) -> HttpStreamReader:
        reader = HttpStreamReader(url, read_timeout=read_timeout)
        self.readers.append(reader)
        return reader

    # diagnostics and teardown

    def diag(self) -> str:
        parts = [p.diag() for p in self.processes if isinstance(p, (HostProcess, ViewerProcess))]
        parts += [r.describe() for r in self.readers]
        return "\n".join(parts)

    def teardown(self) -> None:
        for reader in self.readers:
            reader.close()
        # Viewers and tools first, hosts last (so viewers do not sit in a
        # 10 s idle timeout); everything is reaped whatever happens.
        ordered = [p for p in self.processes if not isinstance(p, HostProcess)] + \
                  [p for p in self.processes if isinstance(p, HostProcess)]
        for proc in ordered:
            try:
                proc.reap()
            except Exception:
                proc.kill_group()


def ffmpeg_frames(result: ToolResult) -> int:
    """The last frame count ffmpeg's -progress output reported."""
    counts = re.findall(r"(?m)^frame=(\d+)", result.stdout)
    return int(counts[-1]) if counts else 0


class VirtualScreen:
    """A bare Xvfb on a free display number, ready when `xwininfo -root`
    answers. `-ac` lets players run as another user (VLC refuses root)."""

    def __init__(self, width: int = 1024, height: int = 768):
        require_tool("Xvfb")
        for _ in range(20):
            number = random.randint(420, 900)
            if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
                break
        self.display = f":{number}"
        self.size = (width, height)
        self.server = subprocess.Popen(["Xvfb", self.display, "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp",
                                        "-ac"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       start_new_session=True)
        for _ in range(100):
            if subprocess.run(["xwininfo", "-root"], env=self.env(), capture_output=True).returncode == 0:
                return
            time.sleep(0.1)
        self.close()
        pytest.fail(f"Xvfb {self.display} did not answer")

    def env(self) -> dict:
        env = dict(os.environ, DISPLAY=self.display)
        env.pop("WAYLAND_DISPLAY", None)
        return env

    def close(self) -> None:
        # Killing the server also ends any xclip still serving its selection.
        self.server.kill()
        self.server.wait(timeout=5)


# --------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="session")
def pixelpass_bin() -> Path:
    binary = pixelpass_binary()
    assert binary.is_file() and os.access(binary, os.X_OK), \
        f"pixelpass binary not found at {binary} (set PIXELPASS_BIN or run `swift build`)"
    return binary


@pytest.fixture
def procs(pixelpass_bin) -> Iterable[ProcessRegistry]:
    registry = ProcessRegistry(pixelpass_bin)
    yield registry
    registry.teardown()


@pytest.fixture
def start_host(procs):
    return procs.start_host


@pytest.fixture
def start_viewer(procs):
    return procs.start_viewer


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """On a failed test, attach every pixelpass process's output to the
    report too (in addition to the assertion messages)."""
    rep = yield
    registry = getattr(item, "funcargs", {}).get("procs")
    if rep.when == "call" and rep.failed and isinstance(registry, ProcessRegistry):
        try:
            rep.sections.append(("pixelpass processes", registry.diag()))
        except Exception:
            pass
    return rep


class WatchdogTimeout(Exception):
    pass


@pytest.fixture(autouse=True)
def _watchdog():
    """Fails a test that runs past TEST_WATCHDOG_SECONDS instead of hanging."""
    def fire(signum, frame):
        raise WatchdogTimeout(f"test exceeded the {TEST_WATCHDOG_SECONDS} s watchdog")

    previous = signal.signal(signal.SIGALRM, fire)
    signal.alarm(TEST_WATCHDOG_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def screen():
    """A virtual X screen (Xvfb, 1024x768) for the test."""
    virtual = VirtualScreen()
    yield virtual
    virtual.close()
