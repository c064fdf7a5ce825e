"""The viewer's launcher with a real player on a real (virtual) X screen:
mpv opens, paints the live stream, keeps playing it. Checked by grabbing the
X screen like a person looking at it."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import ViewerProcess, VirtualScreen, require_tool

WIDTH, HEIGHT = 960, 540


@pytest.fixture
def xvfb():
    virtual = VirtualScreen(WIDTH, HEIGHT)
    yield virtual.display
    virtual.close()


def _grab(display: str) -> bytes:
    r = subprocess.run(["ffmpeg", "-v", "error", "-f", "x11grab", "-video_size", f"{WIDTH}x{HEIGHT}", "-i", display,
                        "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-"],
                       capture_output=True, timeout=15)
    assert r.returncode == 0 and len(r.stdout) == WIDTH * HEIGHT, r.stderr.decode()
    return r.stdout


def _spread(frame: bytes) -> float:
    sample = frame[::101]
    mean = sum(sample) / len(sample)
    return (sum((v - mean) ** 2 for v in sample) / len(sample)) ** 0.5


def _difference(a: bytes, b: bytes) -> float:
    return sum(abs(x - y) for x, y in zip(a[::101], b[::101])) / len(a[::101])


def _players_for(url: str, player: str = "mpv") -> list[int]:
    r = subprocess.run(["pgrep", "-f", f"{player} .*{url}"], capture_output=True, text=True)
    return [int(p) for p in r.stdout.split()]


def _assert_moving_video(display: str) -> None:
    time.sleep(3)  # window mapped, first frames shown
    first = _grab(display)
    time.sleep(1.0)
    second = _grab(display)
    assert _spread(first) > 20, "the X screen is blank: the player shows no video"
    assert _difference(first, second) > 1, "the picture does not move: playback is stuck"


def test_mpv_launched_by_the_viewer_shows_moving_video(procs, start_host, xvfb):
    require_tool("mpv")
    host = start_host()
    env = dict(os.environ, DISPLAY=xvfb)
    env.pop("WAYLAND_DISPLAY", None)
    viewer = procs.spawn(ViewerProcess, "viewer", procs.pixelpass_argv("view", host.ticket, "--player", "mpv"), env=env)
    viewer.url = viewer.wait_first_stdout_line(15, context=procs.diag)
    try:
        assert viewer.wait_stderr("opened the player", 10), viewer.diag()
        assert host.wait_stderr("is watching", 15), f"the player never requested the stream\n{procs.diag()}"
        _assert_moving_video(xvfb)
        assert _players_for(viewer.url), "mpv is not running"
    finally:
        for pid in _players_for(viewer.url):
            os.kill(pid, 9)


def test_vlc_launched_by_the_viewer_shows_moving_video(procs, start_host, xvfb):
    require_tool("cvlc")
    host = start_host()
    # VLC refuses to run as root, so run the viewer as an ordinary user, from
    # a copy of the binary that user can reach.
    home = tempfile.mkdtemp(prefix="pixelpass-vlc-", dir="/tmp")
    url = None
    try:
        os.chmod(home, 0o777)
        binary = Path(home) / "pixelpass"
        shutil.copy2(procs.binary, binary)
        os.chmod(binary, 0o755)
        argv = ["runuser", "-u", "nobody", "--", "env", f"DISPLAY={xvfb}", f"HOME={home}",
                str(binary), "view", host.ticket, "--player", "vlc"]
        viewer = procs.spawn(ViewerProcess, "viewer", argv)
        viewer.url = url = viewer.wait_first_stdout_line(15, context=procs.diag)
        assert viewer.wait_stderr("opened the player", 10), viewer.diag()
        assert host.wait_stderr("is watching", 15), f"VLC never requested the stream\n{procs.diag()}"
        _assert_moving_video(xvfb)
        assert _players_for(url, "vlc"), "VLC is not running"
    finally:
        if url:
            for pid in _players_for(url, "vlc"):
                os.kill(pid, 9)
        shutil.rmtree(home, ignore_errors=True)


def test_vlc_as_root_is_refused_with_a_reason(procs, start_host):
    if os.geteuid() != 0:
        pytest.skip("only meaningful as root")
    host = start_host()
    viewer = procs.spawn(ViewerProcess, "viewer", procs.pixelpass_argv("view", host.ticket, "--player", "vlc"))
    viewer.url = viewer.wait_first_stdout_line(15, context=procs.diag)
    assert viewer.wait_stderr("VLC refuses to run as root", 10), viewer.diag()
    assert viewer.wait_stderr("mpv --profile=low-latency", 5), viewer.diag()
    assert viewer.running


def _looks_like_the_card(frame: bytes) -> bool:
    """Black with one line of white text: nearly all dark, a little bright."""
    sample = frame[::3]
    bright = sum(1 for v in sample if v > 150) / len(sample)
    dark = sum(1 for v in sample if v < 30) / len(sample)
    return dark > 0.9 and 0.001 < bright < 0.05


def test_mpv_shows_the_end_of_share_picture_then_exits(procs, start_host, xvfb):
    require_tool("mpv")
    host = start_host()
    env = dict(os.environ, DISPLAY=xvfb)
    env.pop("WAYLAND_DISPLAY", None)
    viewer = procs.spawn(ViewerProcess, "viewer", procs.pixelpass_argv("view", host.ticket, "--player", "mpv"), env=env)
    viewer.url = viewer.wait_first_stdout_line(15, context=procs.diag)
    try:
        assert viewer.wait_stderr("opened the player", 10), viewer.diag()
        _assert_moving_video(xvfb)
        assert not _looks_like_the_card(_grab(xvfb)), "the live picture already looks like the card: the check proves nothing"
        host.send_signal(2)
        shown = []
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:
            frame = _grab(xvfb)
            if _looks_like_the_card(frame):
                shown.append(frame)
                if len(shown) >= 2:
                    break
            time.sleep(0.3)
        assert len(shown) >= 2, f"mpv never showed the end-of-share picture\n{procs.diag()}"
        assert viewer.wait_exit(15) == 0, viewer.diag()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _players_for(viewer.url):
            time.sleep(0.2)
        assert not _players_for(viewer.url), "mpv did not exit when the stream ended"
    finally:
        for pid in _players_for(viewer.url):
            os.kill(pid, 9)
