"""Players close cleanly: a player with no window (VLC's dummy interface, or
any player started without a display) never outlives the viewer, however the
viewer ends; and when the host ends the share the player is shown a last
picture saying so, continuing its stream, before the stream ends."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import ViewerProcess, VirtualScreen, require_tool


def _processes_with(text: str) -> list[int]:
    """Pids whose command line contains `text` (zombies have none)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmdline:
            found.append(int(entry.name))
    return found


def _zombie_children(parent: int) -> list[int]:
    zombies = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] == "Z" and int(fields[1]) == parent:
            zombies.append(int(entry.name))
    return zombies


def _wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def _player_pids(player: str, url: str, timeout: float = 15) -> list[int]:
    pids: list[int] = []
    _wait(lambda: bool(pids.extend(p for p in _processes_with(url) if player in _comm(p)) or pids), timeout)
    return pids


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _end(way: str, viewer: ViewerProcess, host) -> None:
    if way == "sigterm":
        viewer.send_signal(signal.SIGTERM)
    elif way == "sigint":
        viewer.send_signal(signal.SIGINT)
    elif way == "sigkill":
        viewer.send_signal(signal.SIGKILL)
    elif way == "host_stops":
        host.send_signal(signal.SIGINT)
    else:
        raise AssertionError(way)


@pytest.fixture
def unprivileged(procs):
    """A copy of pixelpass that `nobody` can run (VLC refuses root)."""
    home = tempfile.mkdtemp(prefix="pixelpass-exit-", dir="/tmp")
    os.chmod(home, 0o777)
    binary = Path(home) / "pixelpass"
    shutil.copy2(procs.binary, binary)
    os.chmod(binary, 0o755)
    yield home, binary
    shutil.rmtree(home, ignore_errors=True)


def _stand_in_mpv(directory: Path) -> None:
    """An `mpv` that never ends by itself (a real player exits when its
    stream ends, which would hide a player we failed to end)."""
    directory.mkdir(parents=True, exist_ok=True)
    script = directory / "mpv"
    script.write_text("#!/bin/sh\nwhile :; do sleep 0.2; done\n")
    script.chmod(0o755)


def _start_headless_viewer(procs, host, player: str, unprivileged, display=None) -> ViewerProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    if player == "stand-in mpv":
        bindir = Path(unprivileged[0]) / "bin"
        _stand_in_mpv(bindir)
        env["PATH"] = f"{bindir}:{env['PATH']}"
        player = "mpv"
    if player == "vlc":
        home, binary = unprivileged
        argv = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--",
                "env", "-u", "WAYLAND_DISPLAY", f"DISPLAY={display}", f"HOME={home}",
                str(binary), "view", host.ticket, "--player", "vlc"]
    else:
        argv = procs.pixelpass_argv("view", host.ticket, "--player", player)
    viewer = procs.spawn(ViewerProcess, "viewer", argv, env=env)
    viewer.url = viewer.wait_first_stdout_line(15, context=procs.diag)
    viewer.wait_stderr("opened the player", 10, context=procs.diag)
    return viewer


@pytest.mark.parametrize("player,way", [
    ("vlc", "sigterm"), ("vlc", "sigint"), ("vlc", "host_stops"),
    ("stand-in mpv", "sigint"), ("stand-in mpv", "sigkill"),
])
def test_a_player_without_a_window_never_outlives_the_viewer(procs, start_host, unprivileged, player, way):
    display = None
    if player == "vlc":
        # cvlc is VLC's dummy interface: at most a video window, nothing to
        # quit from; it counts as a player without a window even on a display.
        require_tool("cvlc")
        screen = VirtualScreen(320, 240)
        display = screen.display
    host = start_host()
    try:
        _watch_and_end(procs, host, player, way, unprivileged, display)
    finally:
        if display:
            screen.close()


def _watch_and_end(procs, host, player, way, unprivileged, display):
    viewer = _start_headless_viewer(procs, host, player, unprivileged, display)
    pids = _player_pids("vlc" if player == "vlc" else "mpv", viewer.url)
    try:
        assert pids, f"no {player} process reads {viewer.url}\n{procs.diag()}"
        if player == "vlc":
            assert host.wait_stderr("is watching", 15, context=procs.diag)
        time.sleep(1.0)  # playing
        assert _zombie_children(viewer.pid) == [], "a zombie child while watching"
        _end(way, viewer, host)
        code = viewer.wait_exit(15)
        assert code is not None, f"the viewer did not end ({way})\n{procs.diag()}"
        left = lambda: [p for p in pids if _comm(p) and p not in _zombie_children(1)]
        assert _wait(lambda: not left(), 8), \
            f"{player} (pid {pids}) still runs {8} s after the viewer ended by {way}\n{procs.diag()}"
    finally:
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


def _gray_frames(path: Path, size=(160, 90)) -> list[bytes]:
    r = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-an", "-vf", f"scale={size[0]}:{size[1]}",
                        "-f", "rawvideo", "-pix_fmt", "gray", "-"], capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr.decode()
    n = size[0] * size[1]
    return [r.stdout[i:i + n] for i in range(0, len(r.stdout) - n + 1, n)]


def _looks_like_the_card(frame: bytes) -> bool:
    """Black with a line of white text."""
    return sum(frame) / len(frame) < 40 and max(frame) > 150


def test_when_the_host_stops_ffmpeg_gets_the_end_of_share_picture_then_the_end(procs, start_host, tmp_path):
    require_tool("ffmpeg")
    host = start_host()
    viewer = procs.start_viewer(host.ticket)
    recording = tmp_path / "seen.ts"
    copy = procs.tool("ffmpeg-copy", ["ffmpeg", "-nostdin", "-v", "error", "-i", viewer.url, "-c", "copy",
                                      "-f", "mpegts", str(recording)], timeout=40)
    assert host.wait_stderr("is watching", 15, context=procs.diag)
    time.sleep(3)
    host.send_signal(signal.SIGINT)
    stopped = time.monotonic()
    result = copy.result()
    assert not result.timed_out, f"the stream did not end after the host stopped\n{result.describe()}\n{procs.diag()}"
    assert time.monotonic() - stopped >= 2.0, "the stream ended at once: no end-of-share picture was played"
    assert viewer.wait_exit(15) == 0, viewer.diag()

    frames = _gray_frames(recording)
    assert len(frames) > 40, f"only {len(frames)} frames decoded"
    assert not _looks_like_the_card(frames[5]), "the host's own picture already looks like the card: the check proves nothing"
    card = [f for f in frames[-30:] if _looks_like_the_card(f)]
    assert len(card) >= 25, f"only {len(card)} of the last 30 frames show the end-of-share picture"

    probe = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "packet=dts_time",
                            "-of", "csv=p=0", str(recording)], capture_output=True, text=True, timeout=30)
    times = [float(t.strip(",")) for t in probe.stdout.split() if t.strip(",")]
    assert all(b > a for a, b in zip(times, times[1:])), "video timestamps go back where the picture was spliced on"
    assert times[-1] - times[-31] >= 2.5, "the end-of-share picture lasts less than ~3 s"
