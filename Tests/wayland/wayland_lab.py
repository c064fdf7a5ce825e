"""A headless "Wayland desktop" for pytest: a thin Python handle on
`scripts/wayland-lab serve` (private D-Bus session bus, PipeWire, WirePlumber,
pipewire-pulse, the real xdg-desktop-portal 1.16 frontend, xdg-permission-store
by activation, a fake ScreenCast backend and one synthetic video node).

Video sources are Tests/wayland/pw_video_source.c (built once by the lab
script into .build/wayland-lab/): like a compositor's screen-cast node they
renegotiate their format on the SAME node when resized and serve any number
of consumers one after another. With backend(spawn=…) every portal session
gets a fresh source of its own, stopped when the session closes.

    with WaylandLab() as lab:
        lab.backend(mode="cancel")
        proc = subprocess.Popen([pixelpass, "host"], env=lab.env)
        ...
        assert lab.backend_calls()[-1]["response"] == 1

Everything here has a timeout. This module does not need python3-gi in the
interpreter that runs pytest: everything that speaks D-Bus or GStreamer runs
as a child process under an interpreter that has gi (see GI_PYTHON).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
LAB_SCRIPT = REPO_ROOT / "scripts" / "wayland-lab"
BACKEND_BUS_NAME = "org.freedesktop.impl.portal.desktop.pixelpasstest"
BACKEND_PATH = "/org/freedesktop/portal/desktop"

START_TIMEOUT = 40.0
STOP_TIMEOUT = 10.0

REQUIRED_BINARIES = ("dbus-daemon", "pipewire", "wireplumber", "pipewire-pulse", "pactl", "pw-dump",
                     "gst-launch-1.0", "gdbus", "/usr/libexec/xdg-desktop-portal",
                     "/usr/libexec/xdg-permission-store")


def _has_gi(python: str) -> bool:
    try:
        return subprocess.run([python, "-c", "import gi; gi.require_version('Gst', '1.0')"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _find_gi_python() -> Optional[str]:
    for candidate in (sys.executable, "/usr/bin/python3"):
        if candidate and _has_gi(candidate):
            return candidate
    return None


GI_PYTHON = _find_gi_python()


def missing_requirements() -> list[str]:
    """What this machine lacks to run the lab (empty when it can)."""
    missing = [b for b in REQUIRED_BINARIES if not (os.access(b, os.X_OK) if b.startswith("/") else shutil.which(b))]
    if GI_PYTHON is None:
        missing.append("python3-gi with GStreamer typelibs (gir1.2-gstreamer-1.0)")
    return missing


class LabError(RuntimeError):
    pass


def _wait(predicate, timeout: float, what: str, interval: float = 0.1, diag=lambda: ""):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise LabError(f"timed out after {timeout:.0f} s waiting for {what}\n{diag()}")
        time.sleep(interval)


def _stop_group(popen: subprocess.Popen, grace: float = 3.0) -> None:
    """SIGTERM the process group, SIGKILL it after `grace`, reap."""
    if popen.poll() is None:
        try:
            os.killpg(popen.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            popen.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(popen.pid, signal.SIGKILL)  # stragglers in the group too
    except (ProcessLookupError, PermissionError):
        pass
    try:
        popen.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass


class _Child:
    """A child in its own process group with stdout lines collected on a thread."""

    def __init__(self, argv: Sequence[str], env: dict, log: Path, stdin=subprocess.DEVNULL):
        self.argv = [str(a) for a in argv]
        self.log = log
        self._logf = open(log, "ab")
        self.popen = subprocess.Popen(self.argv, env=env, stdin=stdin, stdout=subprocess.PIPE,
                                      stderr=self._logf, start_new_session=True)
        self.lines: list[str] = []
        self._cond = threading.Condition()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for raw in iter(self.popen.stdout.readline, b""):
            with self._cond:
                self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def wait_line(self, predicate, timeout: float, what: str) -> str:
        deadline = time.monotonic() + timeout
        with self._cond:
            seen = 0
            while True:
                for line in self.lines[seen:]:
                    if predicate(line):
                        return line
                seen = len(self.lines)
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self.popen.poll() is not None and seen == len(self.lines)):
                    raise LabError(f"{what}: not seen within {timeout:.0f} s (exit {self.popen.poll()})\n"
                                   f"stdout: {self.lines[-20:]}\nstderr: {self.stderr_tail()}")
                self._cond.wait(min(remaining, 0.2))

    def stderr_tail(self, n: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.popen.stdin:
            try:
                self.popen.stdin.close()
            except OSError:
                pass
        _stop_group(self.popen)
        self._logf.close()


@dataclass
class VideoSource:
    """A synthetic Video/Source node (Tests/wayland/pw_video_source.c)."""
    lab: "WaylandLab"
    name: str
    width: int
    height: int
    fps: int
    resizable: bool = True  # kept for callers; every source can be resized
    node: int = 0
    _child: Optional[_Child] = field(default=None, repr=False)

    def resize(self, width: int, height: int, timeout: float = 10.0) -> None:
        """Re-offers the format with the new size: PipeWire renegotiates it
        with the linked consumers on the SAME node (what a compositor does
        when a shared window is resized). Returns once a frame of the new
        size was produced (at once when nobody is streaming).
        NOTE: pipewiresrc 0.3.65 takes the new format but keeps its old caps
        downstream; see watch_video.py."""
        self._child.popen.stdin.write(f"resize {width} {height}\n".encode())
        self._child.popen.stdin.flush()
        self._child.wait_line(lambda l: l == f"RESIZED {width} {height}", timeout, f"resize of {self.name}")
        self.width, self.height = width, height

    def restart(self, width: int, height: int, timeout: float = 10.0) -> int:
        """Stops the source and starts a new one at the new size: a NEW node
        (returned and stored in .node; PipeWire may reuse the old id,
        object.serial is new); the old node disappears."""
        self.stop()
        self.lab._children.remove(self._child)
        self._child, self.node = self.lab._start_video_child(self.name, width, height, self.fps, timeout)
        self.width, self.height = width, height
        return self.node

    def running(self) -> bool:
        return self._child is not None and self._child.popen.poll() is None

    def stop(self) -> None:
        if self._child:
            self._child.stop()


@dataclass
class AudioApp:
    """A process playing a sine tone into the default sink (pulsesink through
    pipewire-pulse) as application `app_name`, binary `binary`."""
    app_name: str
    freq: float
    binary: str
    _child: Optional[_Child] = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        return self._child.popen.pid

    def running(self) -> bool:
        return self._child is not None and self._child.popen.poll() is None

    def stop(self) -> None:
        if self._child:
            self._child.stop()


@dataclass
class PortalFlowResult:
    """What Tests/wayland/portal_client.py reported."""
    events: list
    exit_status: Optional[int]

    def responses(self) -> dict:
        """method -> response code of each step that answered."""
        return {e["method"]: e["response"] for e in self.events if e["event"] == "response"}

    @property
    def started(self) -> Optional[dict]:
        return next((e for e in self.events if e["event"] == "started"), None)

    @property
    def streams(self) -> list:
        return self.started["streams"] if self.started else []

    @property
    def restore_token(self) -> Optional[str]:
        return self.started.get("restore_token") if self.started else None

    @property
    def exec_status(self) -> Optional[int]:
        return next((e["status"] for e in self.events if e["event"] == "exec"), None)

    @property
    def closed(self) -> bool:
        return any(e["event"] == "closed" for e in self.events)

    @property
    def ok(self) -> bool:
        done = next((e for e in self.events if e["event"] == "done"), None)
        return bool(done and done["ok"])


class WaylandLab:
    """Context manager; start() / close(). close() stops every process group
    it started, then the lab (which removes its temp dir)."""

    def __init__(self, video: str = "1280x720@30", verbose: bool = False):
        self.video_spec = video
        self.verbose = verbose
        self.dir: Optional[Path] = None
        self.env: dict = {}
        self.config_home: Optional[Path] = None
        self.default_video_node: Optional[int] = None
        self.video_source_bin: Optional[str] = None
        self._serve: Optional[subprocess.Popen] = None
        self._serve_log: Optional[Path] = None
        self._children: list[_Child] = []
        self._bin: Optional[Path] = None
        self._scratch: Optional[Path] = None

    # ------------------------------------------------------------ lifecycle

    def __enter__(self) -> "WaylandLab":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self, timeout: float = START_TIMEOUT) -> "WaylandLab":
        # The lab script has been seen (rarely, under CI load) to exit at once
        # with nothing on stderr; one fresh attempt, then the error stands.
        try:
            return self._start_once(timeout)
        except LabError as first:
            if "(got '')" not in str(first):
                raise
            self.close()
            return self._start_once(timeout)

    def _start_once(self, timeout: float) -> "WaylandLab":
        missing = missing_requirements()
        if missing:
            raise LabError("the Wayland lab needs: " + ", ".join(missing))
        self._scratch = Path(tempfile.mkdtemp(prefix="pixelpass-wayland-lab-py."))
        self._serve_log = self._scratch / "serve.log"
        env = dict(os.environ)
        env["WAYLAND_LAB_VIDEO"] = self.video_spec
        if self.verbose:
            env["WAYLAND_LAB_VERBOSE"] = "1"
        with open(self._serve_log, "wb") as log:
            self._serve = subprocess.Popen([str(LAB_SCRIPT), "serve"], stdin=subprocess.PIPE,
                                           stdout=subprocess.PIPE, stderr=log, env=env,
                                           start_new_session=True)
        line = self._read_ready(timeout)
        self.dir = Path(line.split(" ", 1)[1])
        self.env = self._read_env()
        self.config_home = Path(self.env["XDG_CONFIG_HOME"])
        self.default_video_node = int(self.env["PIXELPASS_LAB_VIDEO_NODE"])
        self.video_source_bin = self.env["PIXELPASS_LAB_VIDEO_SOURCE_BIN"]
        self._bin = self._scratch / "bin"
        self._bin.mkdir()
        return self

    def _read_ready(self, timeout: float) -> str:
        result: dict = {}

        def reader():
            result["line"] = self._serve.stdout.readline().decode().strip()

        t = threading.Thread(target=reader, daemon=True)
        t.start()
        t.join(timeout)
        line = result.get("line", "")
        if not line.startswith("READY "):
            self.close()
            raise LabError(f"scripts/wayland-lab serve did not get ready within {timeout:.0f} s "
                           f"(got {line!r}):\n{self.serve_log_text()}")
        return line

    def _read_env(self) -> dict:
        env = dict(os.environ)
        for name in ("DISPLAY", "WAYLAND_SOCKET", "PULSE_SERVER", "PIPEWIRE_REMOTE", "DBUS_SESSION_BUS_PID",
                     "SESSION_MANAGER", "XDG_DESKTOP_PORTAL_DIR", "WAYLAND_LAB_VIDEO"):
            env.pop(name, None)
        for line in (self.dir / "env").read_text().splitlines():
            key, _, value = line.partition("=")
            if key:
                env[key] = value
        env["DBUS_SYSTEM_BUS_ADDRESS"] = f"unix:path={self.dir}/run/no-system-bus"
        return env

    def serve_log_text(self) -> str:
        try:
            return self._serve_log.read_text(errors="replace") if self._serve_log else ""
        except OSError:
            return ""

    def close(self) -> None:
        for child in reversed(self._children):
            child.stop()
        self._children.clear()
        if self._serve is not None:
            try:
                self._serve.stdin.close()  # serve tears down on stdin EOF
            except OSError:
                pass
            try:
                self._serve.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                _stop_group(self._serve)
            _stop_group(self._serve, grace=1)
            self._serve = None
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def leftover_processes(self) -> list[int]:
        """Pids of processes still marked with this lab's runtime dir."""
        if self.dir is None:
            return []
        marker = f"XDG_RUNTIME_DIR={self.dir}/run".encode()
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                if marker in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                pass
        return found

    # ------------------------------------------------------------ backend

    @property
    def control_file(self) -> Path:
        return self.dir / "control.json"

    @property
    def calls_file(self) -> Path:
        return self.dir / "calls.jsonl"

    def backend(self, mode: str = "grant", node: Optional[int] = None, size: Optional[tuple] = None,
                source_type: int = 1, at: str = "Start", node_name: Optional[str] = None,
                position: tuple = (0, 0), spawn: Optional[dict] = None) -> dict:
        """Writes the fake backend's control file (read on each call).
        mode: grant | cancel | error, applied at step `at` (CreateSession,
        SelectSources or Start; other steps grant). node defaults to the
        lab's default video node; size to that source's size.
        spawn=dict(width=, height=, fps=, name=) instead: Start spawns a
        FRESH source for each session (its node in the Start call's
        results, see spawned_sources()), stopped when the session closes."""
        assert mode in ("grant", "cancel", "error"), mode
        if spawn is not None:
            spawn = {"width": 1280, "height": 720, "fps": 30, **spawn}
            control = {"mode": mode, "at": at, "spawn": spawn, "position": list(position),
                       "source_type": int(source_type)}
            tmp = self.control_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(control))
            tmp.replace(self.control_file)
            return control
        if node is None:
            node = self.default_video_node
            node_name = node_name or self.env.get("PIXELPASS_LAB_VIDEO_NODE_NAME")
            if size is None:
                w, _, rest = self.video_spec.partition("x")
                size = (int(w), int(rest.split("@")[0]))
        control = {"mode": mode, "at": at, "node": int(node), "node_name": node_name or f"node-{node}",
                   "size": list(size or (1280, 720)), "position": list(position), "source_type": int(source_type)}
        tmp = self.control_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(control))
        tmp.replace(self.control_file)
        return control

    def backend_calls(self) -> list[dict]:
        """The fake backend's call log, oldest first."""
        try:
            text = self.calls_file.read_text()
        except OSError:
            return []
        return [json.loads(l) for l in text.splitlines() if l.strip()]

    def wait_backend_call(self, method: str, timeout: float = 10.0, after: int = 0) -> dict:
        """The first logged call of `method` at index >= after."""
        def find():
            return next((c for c in self.backend_calls()[after:] if c["method"] == method), None)
        return _wait(find, timeout, f"a backend {method} call", diag=lambda: str(self.backend_calls()))

    def close_session_from_compositor(self) -> int:
        """The fake backend emits impl.portal.Session.Closed on every open
        session (the compositor stopping the share); returns how many."""
        out = self._run(["gdbus", "call", "--session", "--dest", BACKEND_BUS_NAME, "--object-path", BACKEND_PATH,
                         "--method", "org.pixelpass.Test.Backend.CloseSessions"], timeout=10)
        return int(out.strip().strip("(),").split()[-1])

    def spawned_sources(self, alive: bool = True) -> list[dict]:
        """Sources the backend spawned (SourceSpawned log entries: node,
        name, pid), oldest first; alive=True leaves out stopped ones."""
        calls = self.backend_calls()
        stopped = {c["pid"] for c in calls if c["method"] == "SourceStopped"}
        return [c for c in calls if c["method"] == "SourceSpawned" and not (alive and c["pid"] in stopped)]

    def resize_spawned(self, width: int, height: int, timeout: float = 10.0) -> int:
        """The backend writes "resize W H" to every spawned source of an open
        session (they renegotiate on their nodes); waits until each reported
        "RESIZED W H"; returns how many."""
        mark = len(self.backend_calls())
        out = self._run(["gdbus", "call", "--session", "--dest", BACKEND_BUS_NAME, "--object-path", BACKEND_PATH,
                         "--method", "org.pixelpass.Test.Backend.ResizeSources", str(width), str(height)],
                        timeout=10)
        count = int(out.strip().strip("(),").split()[-1])
        want = f"RESIZED {width} {height}"

        def all_resized():
            done = [c for c in self.backend_calls()[mark:]
                    if c["method"] == "SourceOutput" and c["line"] == want]
            return len(done) >= count
        _wait(all_resized, timeout, f"{count} spawned sources to report {want}",
              diag=lambda: str(self.backend_calls()[mark:]))
        return count

    def resize_default_video(self, width: int, height: int) -> None:
        """Resizes the lab's default source (through its FIFO video.ctl)."""
        with open(self.dir / "video.ctl", "w") as ctl:
            ctl.write(f"resize {width} {height}\n")

    # ------------------------------------------------------------ PipeWire / Pulse

    def _run(self, argv: Sequence[str], timeout: float = 10.0, check: bool = True) -> str:
        done = subprocess.run([str(a) for a in argv], env=self.env, stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=timeout)
        if check and done.returncode != 0:
            raise LabError(f"{' '.join(map(str, argv))} exited {done.returncode}: {done.stderr.decode(errors='replace')}")
        return done.stdout.decode(errors="replace")

    def pw_dump(self) -> list[dict]:
        """The graph as pw-dump sees it. pw-dump may print more than one JSON
        array when objects change while it dumps (later arrays carry updates,
        and `"info": null` for an object removed meanwhile), so every array
        is read and applied in order."""
        text = self._run(["pw-dump"], timeout=10)
        decoder = json.JSONDecoder()
        objects: dict[int, dict] = {}
        position = 0
        while True:
            while position < len(text) and text[position].isspace():
                position += 1
            if position >= len(text):
                break
            batch, position = decoder.raw_decode(text, position)
            for o in batch:
                if o.get("info", {}) is None and "type" not in o:
                    objects.pop(o.get("id"), None)
                else:
                    objects[o.get("id")] = o
        return list(objects.values())

    def nodes(self, media_class: Optional[str] = None) -> list[dict]:
        """PipeWire nodes (pw-dump objects), optionally of one media.class."""
        out = []
        for o in self.pw_dump():
            if o.get("type") != "PipeWire:Interface:Node":
                continue
            props = (o.get("info") or {}).get("props") or {}
            if media_class is None or props.get("media.class") == media_class:
                out.append(o)
        return out

    def node_id(self, node_name: str) -> Optional[int]:
        for o in self.nodes():
            if o["info"]["props"].get("node.name") == node_name:
                return o["id"]
        return None

    def node_serial(self, node_name: str) -> Optional[int]:
        """object.serial of the node named node_name (unique, never reused)."""
        for o in self.nodes():
            props = o["info"]["props"]
            if props.get("node.name") == node_name:
                return props.get("object.serial")
        return None

    def pactl(self, *args: str) -> str:
        return self._run(["pactl", *args], timeout=10)

    def default_sink(self) -> str:
        return self.pactl("get-default-sink").strip()

    # ------------------------------------------------------------ synthetic sources

    def _child(self, argv, log_name: str, stdin=subprocess.DEVNULL, env: Optional[dict] = None) -> _Child:
        child = _Child(argv, env or self.env, self._scratch / f"{log_name}.log", stdin=stdin)
        self._children.append(child)
        return child

    def video_source(self, name: str, width: int = 1280, height: int = 720, fps: int = 30,
                     resizable: bool = True, timeout: float = 10.0) -> VideoSource:
        """Starts a Video/Source node named `name` (pw_video_source.c);
        returns once its stream is ready (node id known)."""
        child, node = self._start_video_child(name, width, height, fps, timeout)
        return VideoSource(self, name, width, height, fps, resizable, node=node, _child=child)

    def _start_video_child(self, name: str, width: int, height: int, fps: int, timeout: float):
        child = self._child([self.video_source_bin, "--name", name, "--width", width, "--height", height,
                             "--fps", fps], f"video-{name}", stdin=subprocess.PIPE)
        try:
            line = child.wait_line(lambda l: l.startswith("READY "), timeout, f"the video node {name}")
        except LabError:
            child.stop()
            raise
        return child, int(line.split()[1])

    def app_tone(self, app_name: str, freq: float, binary: Optional[str] = None,
                 timeout: float = 10.0) -> AudioApp:
        """Starts a process playing a sine tone into the default sink, as
        application.name=app_name; its executable is a copy of gst-launch-1.0
        named `binary` (default: app_name lower-cased), so
        application.process.binary differs too. Returns once its
        Stream/Output/Audio node exists."""
        binary = binary or app_name.lower()
        exe = self._bin / binary
        if not exe.exists():
            shutil.copy2(shutil.which("gst-launch-1.0"), exe)
        env = dict(self.env)
        env["PULSE_PROP"] = f"application.name={app_name} application.process.binary={binary}"
        argv = [exe, "-q", "audiotestsrc", "is-live=true", "wave=sine", f"freq={freq}", "volume=0.3",
                "!", "audioconvert", "!", "pulsesink", f"client-name={app_name}",
                f"stream-properties=props,application.name={app_name},media.name={app_name}-tone"]
        child = self._child(argv, f"tone-{binary}", env=env)
        app = AudioApp(app_name, freq, binary, _child=child)

        def node():
            return next((o for o in self.nodes("Stream/Output/Audio")
                         if o["info"]["props"].get("application.name") == app_name), None)
        try:
            _wait(node, timeout, f"the Stream/Output/Audio node of {app_name}", diag=child.stderr_tail)
        except LabError:
            app.stop()
            raise
        return app

    def measure_fps(self, node: int, seconds: float = 2.0, warmup: float = 0.5) -> dict:
        """Reads `node` with pipewiresrc for `seconds` (after `warmup`);
        returns {"frames", "seconds", "fps", "caps"}."""
        out = self._run([GI_PYTHON, HERE / "measure_fps.py", "--node", node, "--seconds", seconds,
                         "--warmup", warmup], timeout=seconds + warmup + 20, check=False)
        return json.loads(out.strip().splitlines()[-1]) if out.strip() else {"fps": 0, "frames": 0, "caps": None}

    def watch_video(self, node: int, seconds: float = 4.0, reconfigure: bool = False) -> _Child:
        """Starts Tests/wayland/watch_video.py on `node` (a consumer that logs
        caps and buffer-size changes); returns once its first buffer arrived.
        Read the result with watch_result(child)."""
        argv = [GI_PYTHON, "-u", HERE / "watch_video.py", "--node", node, "--seconds", seconds]
        if reconfigure:
            argv.append("--reconfigure-on-size-change")
        child = self._child(argv, f"watch-{node}")
        child.wait_line(lambda l: l == "FIRST", 10, f"the first buffer of node {node}")
        return child

    @staticmethod
    def watch_result(child: _Child, timeout: float = 15.0) -> dict:
        line = child.wait_line(lambda l: l.startswith("{"), timeout, "the watcher's result")
        return json.loads(line)

    # ------------------------------------------------------------ a portal client

    def portal_flow(self, types: int = 1, cursor_mode: Optional[int] = None, persist_mode: Optional[int] = None,
                    restore_token: Optional[str] = None, exec_argv: Optional[Sequence[str]] = None,
                    timeout: float = 20.0) -> PortalFlowResult:
        """A complete ScreenCast flow by Tests/wayland/portal_client.py;
        exec_argv runs with the PipeWire fd ("{fd}", "{node}" substituted)."""
        argv = self._portal_argv(types, cursor_mode, persist_mode, restore_token, timeout / 2)
        if exec_argv:
            argv += ["--exec", *exec_argv]
        done = subprocess.run([str(a) for a in argv], env=self.env, stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=timeout)
        events = [json.loads(l) for l in done.stdout.decode().splitlines() if l.startswith("{")]
        return PortalFlowResult(events, done.returncode)

    def portal_session(self, hold: float = 15.0, **kwargs) -> "PortalSession":
        """A started portal session kept open (up to `hold` s) until the
        portal emits Session.Closed; see PortalSession."""
        argv = self._portal_argv(kwargs.get("types", 1), kwargs.get("cursor_mode"), kwargs.get("persist_mode"),
                                 kwargs.get("restore_token"), 10.0) + ["--hold", hold]
        child = self._child(argv, "portal-session", stdin=subprocess.PIPE)
        session = PortalSession(child)
        child.wait_line(lambda l: '"started"' in l or '"done"' in l, 20, "a started portal session")
        return session

    def _portal_argv(self, types, cursor_mode, persist_mode, restore_token, step_timeout) -> list:
        argv = [GI_PYTHON, "-u", HERE / "portal_client.py", "--types", types, "--timeout", step_timeout]
        if cursor_mode is not None:
            argv += ["--cursor-mode", cursor_mode]
        if persist_mode is not None:
            argv += ["--persist-mode", persist_mode]
        if restore_token:
            argv += ["--restore-token", restore_token]
        return argv


class PortalSession:
    """A portal client holding a started session."""

    def __init__(self, child: _Child):
        self._child = child

    @property
    def events(self) -> list:
        return [json.loads(l) for l in list(self._child.lines) if l.startswith("{")]

    def wait_closed(self, timeout: float = 10.0) -> dict:
        line = self._child.wait_line(lambda l: '"closed"' in l, timeout, "Session.Closed at the client")
        return json.loads(line)

    def stop(self) -> None:
        self._child.stop()
