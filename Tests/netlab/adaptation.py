"""Helpers for the bitrate-adaptation tests (test_adaptation.py) and
scripts/bench-adapt: a host behind a home router whose uplink is shaped (tc
tbf on the router's WAN), viewers on the public segment (or behind a router
of their own with a shaped downlink), the host's per-second stats, and
decoded frames timed on the viewers.

Topology (one lab):

    host 10.1.0.10 ── r1 (eim NAT, port forward UDP 4433, tbf on "wan") ── core ── public viewers
                                                                         └─ r2 (eim, tbf on the core's "r2") ── bad viewer

The host binds 0.0.0.0:4433 and learns 203.0.113.10:4433 from the lab's STUN
server; a port forward on r1 (as a user would set one up) lets viewers dial
it directly, so no DHT or TURN is involved and every byte the host sends
goes through one queue: r1's WAN egress, the home uplink.

Frames are timed with ffmpeg (showinfo, one stderr line per decoded frame,
stamped when read) or with pixelpass-latency-probe --verbose (CLOCK_MONOTONIC
decode times, and the capture time painted by --source clock). Every time
here is time.time() (Unix seconds), like the host's JSON "time" field.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import lab as netlab

HOST_PORT = 4433
# Seconds to add to a CLOCK_MONOTONIC reading (time.monotonic()) to get Unix time.
MONO_TO_UNIX = time.time() - time.monotonic()


def repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


def binary(name: str = "pixelpass") -> str:
    """PIXELPASS_BIN (or PIXELPASS_PROBE_BIN for the probe: default next to
    PIXELPASS_BIN), else the lab's default build."""
    main = Path(os.environ.get("PIXELPASS_BIN", str(repo_root() / ".build-netlab" / "debug" / "pixelpass")))
    if name == "pixelpass":
        return str(main)
    return os.environ.get("PIXELPASS_PROBE_BIN", str(main.parent / name))


def _env(tmp: Path, extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    env = {"XDG_CONFIG_HOME": str(tmp / "config"), "XDG_CACHE_HOME": str(tmp / "cache"), "NO_COLOR": "1",
           "HOME": str(tmp)}
    env.update(extra or {})
    return env


def tail(path: Path, n: int = 1500) -> str:
    try:
        return path.read_text(errors="replace")[-n:]
    except OSError:
        return ""


class _Lines(threading.Thread):
    """Reads a pipe line by line in the background, each line stamped with
    time.time() when it was read."""

    def __init__(self, stream, keep: bool = True, on_line=None) -> None:
        super().__init__(daemon=True)
        self.stream = stream
        self.lines: List[Tuple[float, str]] = []
        self.keep = keep
        self.on_line = on_line
        self.start()

    def run(self) -> None:
        try:
            for raw in iter(self.stream.readline, b""):
                now = time.time()
                line = raw.decode(errors="replace").rstrip("\n")
                if self.keep:
                    self.lines.append((now, line))
                if self.on_line:
                    self.on_line(now, line)
        except (ValueError, OSError):
            pass


# ----- topology -----------------------------------------------------------------


@dataclass
class Topology:
    host: netlab.Peer
    router: netlab.Router          # the host's home router: its WAN egress is the uplink
    viewers: List[netlab.Peer]
    bad: Optional[netlab.Peer] = None   # a viewer behind its own router with a shaped downlink


def build(lab: netlab.Lab, viewers: int = 1, bad_viewer_kbit: Optional[int] = None,
          bad_latency_ms: int = 100) -> Topology:
    """The host behind an eim router with UDP 4433 forwarded to it; `viewers`
    public viewers v1, v2, ...; with `bad_viewer_kbit` the last viewer is
    instead behind its own eim router whose downlink is shaped to that rate."""
    host = lab.peer("host", behind="eim")
    lab.forward_port(host.router, host, HOST_PORT)
    peers, bad = [], None
    for k in range(1, viewers + 1):
        if bad_viewer_kbit and k == viewers:
            bad = lab.peer(f"v{k}", behind="eim")
            lab.shape_downlink(bad.router, bad_viewer_kbit, latency_ms=bad_latency_ms)
            peers.append(bad)
        else:
            peers.append(lab.peer(f"v{k}"))
    return Topology(host, host.router, peers, bad)


# ----- plain UDP, to check the lab's shaping and loss ------------------------------

_UDP_RECV = (
    "import socket,sys,time,json\n"
    "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(('0.0.0.0',int(sys.argv[1]))); s.settimeout(0.2)\n"
    "end=time.time()+float(sys.argv[2]); n=b=0; first=last=None\n"
    "while time.time()<end:\n"
    "  try: d=s.recv(65535)\n"
    "  except OSError: continue\n"
    "  now=time.time(); first=first or now; last=now; n+=1; b+=len(d)\n"
    "print(json.dumps({'packets':n,'bytes':b,'first':first,'last':last}))\n")

_UDP_SEND = (
    "import socket,sys,time\n"
    "ip,port=sys.argv[1].rsplit(':',1); rate=float(sys.argv[2])*1000/8; secs=float(sys.argv[3]); size=int(sys.argv[4])\n"
    "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(('0.0.0.0',int(sys.argv[5])))\n"
    "start=time.time(); sent=0; data=bytes(size)\n"
    "while time.time()-start<secs:\n"
    "  if sent < (time.time()-start)*rate:\n"
    "    try: s.sendto(data,(ip,int(port))); sent+=size\n"
    "    except OSError: pass\n"
    "  else: time.sleep(0.0005)\n"
    "print(sent)\n")


def udp_transfer(lab: netlab.Lab, sender, dest: str, receiver, port: int, rate_kbit: float, seconds: float,
                 size: int = 1200, src_port: int = 0) -> dict:
    """Sends `size`-byte datagrams at `rate_kbit` for `seconds` from `sender`
    to `dest` ("IP:PORT"), counted by a receiver bound to `port` in
    `receiver`. Returns {"sent", "packets_sent", "packets", "bytes", "kbit_s"}
    (kbit_s: payload received over the sending time)."""
    recv = lab.popen(receiver, ["python3", "-c", _UDP_RECV, str(port), str(seconds + 1.5)],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.3)
    sent = int(lab.python(sender, _UDP_SEND, dest, str(rate_kbit), str(seconds), str(size), str(src_port),
                          timeout=seconds + 10, check=True).stdout.strip())
    out, err = recv.communicate(timeout=seconds + 10)
    got = json.loads(out.decode() or "{}") if out else {}
    got["sent"] = sent
    got["packets_sent"] = sent // size
    got["kbit_s"] = got.get("bytes", 0) * 8 / 1000 / seconds
    return got


# ----- processes ----------------------------------------------------------------


class Host:
    """`pixelpass host --output json` in the host namespace; its events are
    collected as they come."""

    def __init__(self, lab: netlab.Lab, node, tmp: Path, ceiling: int, source: str = "test",
                 size: str = "1280x720", fps: int = 30, extra: Sequence[str] = (), cc: Optional[str] = None,
                 verbose: bool = False) -> None:
        stun_ip, stun_port = lab.stun_address()
        self.argv = [binary(), "host", "--source", source, "--no-audio", "--encoder", "x264enc", "--size", size,
                     "--fps", str(fps), "--bitrate", str(ceiling), "--bind", f"0.0.0.0:{HOST_PORT}",
                     "--stun", f"{stun_ip}:{stun_port}", "--no-dht", "--no-port-mapping", "--output", "json",
                     *(["-v"] if verbose else []), *extra]
        self.err = tmp / "host.err"
        self.proc = lab.popen(node, self.argv, env=_env(tmp, {"PIXELPASS_CC": cc} if cc else None),
                              stdout=subprocess.PIPE, stderr=open(self.err, "wb"))
        self.events: List[dict] = []
        self._lines = _Lines(self.proc.stdout, keep=False, on_line=self._event)
        self.ticket = self._wait(lambda e: e["event"] == "ticket", 20, "a ticket")["ticket"]
        self.listening = self._wait(lambda e: e["event"] == "listening", 10, "listening event")
        # Viewers dial the public address STUN found (the port forward): without
        # it in the ticket nobody outside can connect.
        public = self.listening.get("addresses", []) + self.listening.get("reflexive", [])
        assert any(a.endswith(f":{HOST_PORT}") and not a.startswith(("10.", "127.")) for a in public), \
            f"host: no public address in the ticket (STUN failed?): {self.listening}\n{tail(self.err)}"

    def _event(self, now: float, line: str) -> None:
        if line.startswith("{"):
            try:
                event = json.loads(line)
            except ValueError:
                return
            event.setdefault("time", now)
            self.events.append(event)

    def _wait(self, match, timeout: float, what: str) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in list(self.events):
                if match(event):
                    return event
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"host: no {what} within {timeout} s (exit {self.proc.poll()}):\n{tail(self.err)}")

    def wait_viewers(self, n: int, timeout: float = 20) -> None:
        self._wait(lambda e: e["event"] == "stats" and len(e.get("viewers", [])) >= n, timeout, f"{n} viewers")

    def stats(self, start: float = 0, end: float = float("inf")) -> List[dict]:
        return [e for e in self.events if e["event"] == "stats" and start <= e["time"] <= end]

    def stop(self) -> None:
        netlab.Lab.stop(self.proc)
        self._lines.join(timeout=5)


class Viewer:
    def __init__(self, lab: netlab.Lab, node, ticket: str, tmp: Path, name: str) -> None:
        self.name = name
        self.err = tmp / f"{name}.err"
        self.proc = lab.popen(node, [binary(), "view", ticket, "--player", "none", "--output", "json", "--no-dht"],
                              env=_env(tmp), stdout=subprocess.PIPE, stderr=open(self.err, "wb"))
        self.events: List[dict] = []
        self._lines = _Lines(self.proc.stdout, keep=False,
                             on_line=lambda now, line: line.startswith("{") and self.events.append(json.loads(line)))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not any(e["event"] == "listening" for e in self.events):
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        listening = [e for e in self.events if e["event"] == "listening"]
        assert listening, f"viewer {name}: no URL within 20 s (exit {self.proc.poll()}):\n{tail(self.err)}"
        self.url = listening[0]["url"]

    def stop(self) -> None:
        netlab.Lab.stop(self.proc)


_SHOWINFO = re.compile(r"Parsed_showinfo.*\bn:\s*(\d+).*\bpts_time:\s*(-?[\d.]+)")
_LEVEL = re.compile(r"\[(panic|fatal|error)\]")


class FFmpegFrames:
    """Decodes the viewer's URL with ffmpeg; every decoded frame is timed
    when its showinfo line is read, and every error-level line is kept."""

    def __init__(self, lab: netlab.Lab, node, url: str, tmp: Path, name: str) -> None:
        self.name = name
        self.frames: List[float] = []      # decode times (Unix s)
        self.pts: List[float] = []
        self.errors: List[Tuple[float, str]] = []
        self.log = open(tmp / f"{name}.ffmpeg.log", "w")
        self.proc = lab.popen(node, ["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-v", "level+info", "-probesize", "65536",
                                     "-analyzeduration", "200000", "-i", url, "-map", "0:v:0",
                                     "-vf", "showinfo=checksum=0", "-f", "null", "-"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._lines = _Lines(self.proc.stderr, keep=False, on_line=self._line)

    def _line(self, now: float, line: str) -> None:
        m = _SHOWINFO.search(line)
        if m:
            self.frames.append(now)
            self.pts.append(float(m.group(2)))
            return
        if _LEVEL.search(line):
            self.errors.append((now, line))
        self.log.write(f"{now:.3f} {line}\n")

    def stop(self) -> None:
        netlab.Lab.stop(self.proc)
        self._lines.join(timeout=5)
        self.log.close()

    def errors_after_first_frame(self) -> List[str]:
        """Error lines once a picture was decoded (before it, while joining,
        ffmpeg may complain about what it probes)."""
        if not self.frames:
            return [line for _, line in self.errors]
        first = self.frames[0]
        return [line for t, line in self.errors if t >= first]


_PROBE_FRAME = re.compile(r"^(\d+) (?:frame (\d+) latency (-?[\d.]+) ms|unreadable)$")


class ProbeFrames:
    """pixelpass-latency-probe URL --json --verbose: per decoded frame its
    CLOCK_MONOTONIC decode time (→ Unix time) and, with --source clock, the
    capture→decoded latency. It stops by itself after `seconds` (or after 5 s
    without a frame); the summary JSON is in `.report`."""

    def __init__(self, lab: netlab.Lab, node, url: str, tmp: Path, name: str, seconds: float) -> None:
        self.name = name
        self.frames: List[float] = []
        self.latency: List[Tuple[float, float]] = []   # (decode time, ms)
        self.report: Optional[dict] = None
        self.out = tmp / f"{name}.probe.json"
        self.proc = lab.popen(node, [binary("pixelpass-latency-probe"), url, "--seconds", str(seconds), "--json",
                                     "--verbose", "--first-frame-timeout", "20"],
                              stdout=open(self.out, "wb"), stderr=subprocess.PIPE)
        self.notes: List[str] = []
        self._lines = _Lines(self.proc.stderr, keep=False, on_line=self._line)

    def _line(self, now: float, line: str) -> None:
        m = _PROBE_FRAME.match(line)
        if m:
            t = int(m.group(1)) / 1e6 + MONO_TO_UNIX
            self.frames.append(t)
            if m.group(3) is not None:
                self.latency.append((t, float(m.group(3))))
        elif line.startswith("pixelpass-latency-probe"):
            self.notes.append(line)

    def wait(self, timeout: float) -> None:
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        self.stop()

    def stop(self, grace: float = 3.0) -> None:
        """Lets the probe finish (it stops `seconds` after its first frame and
        prints its summary), then stops it."""
        try:
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
        netlab.Lab.stop(self.proc)
        self._lines.join(timeout=5)
        try:
            self.report = json.loads(self.out.read_text())
        except (OSError, ValueError):
            self.report = None


class QueueSampler(threading.Thread):
    """Samples the shaped queues' counters once a second: {label: (node, interface)}."""

    def __init__(self, lab: netlab.Lab, queues: Dict[str, Tuple[object, Optional[str]]], period: float = 1.0) -> None:
        super().__init__(daemon=True)
        self.lab, self.queues, self.period = lab, queues, period
        self.samples: List[Tuple[float, Dict[str, dict]]] = []
        self._halt = threading.Event()
        self.start()

    def run(self) -> None:
        while not self._halt.is_set():
            now, sample = time.time(), {}
            for label, (node, iface) in self.queues.items():
                try:
                    sample[label] = self.lab.queue_stats(node, iface)
                except Exception:  # noqa: BLE001 (a namespace going away at teardown)
                    sample[label] = {}
            self.samples.append((now, sample))
            self._halt.wait(self.period)

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=5)


# ----- figures --------------------------------------------------------------------


def longest_gap(frames: Sequence[float], start: float, end: float) -> float:
    """The longest time without a new decoded frame within [start, end]:
    between two frames, from `start` to the first frame, from the last one
    to `end` (a picture frozen at the end counts too)."""
    inside = [t for t in frames if start <= t <= end]
    points = [start] + inside + [end]
    return max(b - a for a, b in zip(points, points[1:])) if end > start else 0.0


def gaps_over(frames: Sequence[float], limit: float, start: float, end: float) -> List[Tuple[float, float]]:
    """(when, seconds) of every gap longer than `limit` in [start, end]."""
    points = [start] + [t for t in frames if start <= t <= end] + [end]
    return [(a, b - a) for a, b in zip(points, points[1:]) if b - a > limit]


def encoder_kbps(stat: dict) -> Optional[float]:
    enc = stat.get("encoder")
    return float(enc["bitrate_kbps"]) if isinstance(enc, dict) and enc.get("bitrate_kbps") is not None else None


def settle_time(stats: Sequence[dict], limit_kbps: float, t0: float, end: float) -> Optional[float]:
    """Seconds from t0 until the encoder's bitrate stays below `limit_kbps`
    up to `end` (0 when it never was at or above it); None when it is still
    at or above it at the end, or when the host reports no encoder bitrate."""
    series = [(s["time"], encoder_kbps(s)) for s in stats if t0 <= s["time"] <= end]
    if not series or any(k is None for _, k in series):
        return None
    over = [i for i, (_, k) in enumerate(series) if k >= limit_kbps]
    if not over:
        return 0.0
    if over[-1] == len(series) - 1:
        return None
    # It went below between the last sample at or above and the next one.
    return series[over[-1] + 1][0] - t0


def percentile(values: Sequence[float], p: float) -> Optional[float]:
    if not values:
        return None
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[index]


def stats_table(stats: Sequence[dict], t0: float, queue: Optional["QueueSampler"] = None,
                label: Optional[str] = None) -> str:
    """The host's stats lines as a compact table (for failure messages and
    diagnosis), with the uplink queue's backlog and drops when sampled."""
    rows = []
    for s in stats:
        enc = s.get("encoder") if isinstance(s.get("encoder"), dict) else {}
        viewers = " ".join(
            f"[{v.get('viewer', '?')[:4]} {v.get('bitrate_kbps', 0):.0f}k est {_num(v.get('estimated_kbps'))} "
            f"rtt {_num(v.get('rtt_ms'))} lag {v.get('lag_bytes', 0)} skips {v.get('keyframe_skips', 0)}"
            f"{' BELOW' if v.get('below_floor') else ''}]" for v in s.get("viewers", []))
        q = ""
        if queue is not None and label:
            near = min(queue.samples, key=lambda x: abs(x[0] - s["time"]), default=None)
            if near and near[1].get(label):
                qs = near[1][label]
                q = f" q {qs.get('backlog_bytes', 0)}B drops {qs.get('drops', 0)}"
        rows.append(f"  {s['time'] - t0:6.1f}s enc {_num(enc.get('bitrate_kbps'))} limit {s.get('limit', '-')} "
                    f"up {s.get('upload_kbps', 0):.0f}{q} {viewers}")
    return "\n".join(rows)


def _num(v) -> str:
    return "-" if v is None else f"{float(v):.0f}"


# ----- one run ----------------------------------------------------------------------


@dataclass
class Run:
    """One scenario's processes and what they measured."""
    lab: netlab.Lab
    topo: Topology
    tmp: Path
    host: Optional[Host] = None
    viewers: List[Viewer] = field(default_factory=list)
    watchers: List[object] = field(default_factory=list)   # FFmpegFrames or ProbeFrames, one per viewer
    queue: Optional[QueueSampler] = None
    t_first: Optional[float] = None    # first decoded frame on the first viewer
    t_end: Optional[float] = None
    cpu: Optional[float] = None          # the whole machine, 0-1 of all cores
    host_cpu: Optional[float] = None     # the host process, in cores
    host_ticks_start: Optional[float] = None

    cpu_start: Optional[Tuple[float, float]] = None    # (busy, total) jiffies of the whole machine

    @staticmethod
    def _cpu() -> Tuple[float, float]:
        fields = [float(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
        return sum(fields) - idle, sum(fields)

    @staticmethod
    def _ticks(pid: int) -> Optional[float]:
        """utime + stime of a process (all its threads), in clock ticks.
        (`ip netns exec` execs the program, so the Popen pid is the program.)"""
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            return float(fields[11]) + float(fields[12])
        except (OSError, IndexError, ValueError):
            return None

    def cpu_busy(self) -> Optional[float]:
        """The machine's CPU use (all cores, 0-1) from start() to now."""
        if self.cpu_start is None:
            return None
        busy, total = self._cpu()
        return (busy - self.cpu_start[0]) / max(1.0, total - self.cpu_start[1])

    def start(self, ceiling: int, probe_seconds: Optional[float] = None, after_ticket=None, **host_args) -> None:
        """Host, viewers, and a frame watcher on each viewer (the latency probe
        on the first viewer when probe_seconds is given, ffmpeg elsewhere);
        waits for the first frame on every viewer. `after_ticket()` runs once
        the host has its ticket, before any viewer (e.g. packet loss that must
        not make the host's STUN query, and so its ticket, miss its public
        address)."""
        queues = {"uplink": (self.topo.router, None)}
        if self.topo.bad is not None:
            queues["bad"] = (self.lab.core, self.topo.bad.router.name)
        self.queue = QueueSampler(self.lab, queues)
        self.host = Host(self.lab, self.topo.host, self.tmp, ceiling, **host_args)
        if after_ticket is not None:
            after_ticket()
        for peer in self.topo.viewers:
            self.viewers.append(Viewer(self.lab, peer, self.host.ticket, self.tmp, peer.name))
        for k, (peer, viewer) in enumerate(zip(self.topo.viewers, self.viewers)):
            if probe_seconds is not None and k == 0:
                self.watchers.append(ProbeFrames(self.lab, peer, viewer.url, self.tmp, peer.name, probe_seconds))
            else:
                self.watchers.append(FFmpegFrames(self.lab, peer, viewer.url, self.tmp, peer.name))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not all(w.frames for w in self.watchers):
            time.sleep(0.05)
        missing = [w.name for w in self.watchers if not w.frames]
        assert not missing, (f"no decoded frame on {missing} within 30 s\nhost:\n{tail(self.host.err)}\n"
                             + "\n".join(f"{v.name}:\n{tail(v.err, 600)}" for v in self.viewers))
        self.t_first = self.watchers[0].frames[0]
        self.cpu_start = self._cpu()
        self.host_ticks_start = self._ticks(self.host.proc.pid)

    @property
    def t_join(self) -> float:
        """When the host saw the first viewer join (its JSON time), else the
        first decoded frame: adaptation starts there."""
        joined = [e["time"] for e in self.host.events if e["event"] == "viewer_joined"] if self.host else []
        return min(joined) if joined else self.t_first

    def sleep_until(self, seconds_after_first: float) -> None:
        time.sleep(max(0.0, self.t_first + seconds_after_first - time.time()))

    def stop(self) -> None:
        self.t_end = time.time()
        self.cpu = self.cpu_busy()
        if self.host is not None and self.host_ticks_start is not None:
            ticks = self._ticks(self.host.proc.pid)
            if ticks is not None:
                self.host_cpu = (ticks - self.host_ticks_start) / os.sysconf("SC_CLK_TCK") / max(
                    0.001, self.t_end - self.t_first)
        for w in self.watchers:
            w.stop()
        for v in self.viewers:
            v.stop()
        if self.host:
            self.host.stop()
        if self.queue:
            self.queue.stop()

    def stats(self) -> List[dict]:
        return self.host.stats() if self.host else []

    def diagnosis(self, tail_host: bool = True) -> str:
        t0 = self.t_first or time.time()
        names = {self.lab.public_address(peer): peer.name for peer in self.topo.viewers}
        seen = {}
        for e in (self.host.events if self.host else []):
            if e["event"] == "viewer_joined":
                ip = e.get("address", "").rsplit(":", 1)[0]
                seen[e["viewer"][:4]] = names.get(ip, ip)
        legend = ", ".join(f"{k}={v}" for k, v in seen.items())
        text = (f"host stats (s after the first frame; enc/est/up in kbit/s; q: uplink tbf backlog; viewers {legend}):\n"
                + stats_table(self.stats(), t0, self.queue, "uplink"))
        if self.topo.bad is not None and self.queue is not None:
            last = self.queue.samples[-1][1].get("bad", {}) if self.queue.samples else {}
            text += f"\nbad viewer's downlink queue at the end: {last}"
        if tail_host and self.host:
            text += f"\nhost stderr tail:\n{tail(self.host.err, 1200)}"
        return text
