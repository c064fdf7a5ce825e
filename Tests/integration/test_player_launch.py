"""The viewer's player launcher: which player it opens, that the player is
detached (own session, survives the viewer, no Ctrl-C from our terminal), and
what it says when the player is missing. A stand-in `mpv` on PATH records how
it was started and really decodes the stream with ffmpeg."""

from __future__ import annotations

import os
import signal
import stat
import time
from pathlib import Path

from conftest import ViewerProcess, require_tool


def _fake_player(directory: Path, name: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    script = directory / name
    record = directory / f"{name}.record"
    decoded = directory / f"{name}.decoded"
    ffmpeg = require_tool("ffmpeg")
    script.write_text(f"""#!/bin/sh
# stand-in player: record pid, session and arguments, decode, then linger
url=""
for arg in "$@"; do url="$arg"; done
echo "$$ $(ps -o sid= -p $$ | tr -d ' ') $*" > "{record}"
"{ffmpeg}" -nostdin -v error -i "$url" -frames:v 30 -f null - 2>"{decoded}.err"
echo $? > "{decoded}"
sleep 30
""")
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return script


def _wait_file(path: Path, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return path.read_text().strip()
        time.sleep(0.1)
    return ""


def _viewer_with_path(procs, ticket: str, path: str, *extra: str, display: str | None = None) -> ViewerProcess:
    env = dict(os.environ, PATH=path)
    env.pop("WAYLAND_DISPLAY", None)
    env.pop("DISPLAY", None)
    if display:
        env["DISPLAY"] = display
    viewer = procs.spawn(ViewerProcess, "viewer", procs.pixelpass_argv("view", ticket, *extra), env=env)
    viewer.url = viewer.wait_first_stdout_line(15, context=procs.diag)
    return viewer


def test_launched_player_plays_in_its_own_session_and_survives_the_viewer(procs, start_host, tmp_path):
    host = start_host()
    bindir = tmp_path / "bin"
    _fake_player(bindir, "mpv")
    # A display to open a window on (the stand-in opens none): a windowed
    # player is the one that outlives the viewer.
    viewer = _viewer_with_path(procs, host.ticket, f"{bindir}:{os.environ['PATH']}", "--player", "mpv",
                               display=":4242")

    record = _wait_file(bindir / "mpv.record", 15)
    assert record, f"the player was not started\n{procs.diag()}"
    pid_text, sid_text, args = record.split(" ", 2)
    player_pid = int(pid_text)
    try:
        assert viewer.url in args, f"player got {args!r}, not the URL {viewer.url}"
        assert "--profile=low-latency" in args and "--audio-buffer=0.2" in args, args
        assert int(sid_text) != os.getsid(viewer.pid), "the player shares the viewer's session"
        assert int(sid_text) == player_pid, "the player does not lead its own session"

        status = _wait_file(bindir / "mpv.decoded", 30)
        assert status == "0", f"the launched player could not decode the stream: " \
                              f"{(bindir / 'mpv.decoded.err').read_text()}\n{procs.diag()}"

        # Ctrl-C in the viewer's terminal reaches the viewer's process group only.
        os.killpg(viewer.pid, signal.SIGINT)
        assert viewer.wait_exit(10) == 0, viewer.diag()
        time.sleep(0.5)
        os.kill(player_pid, 0)  # raises if the player died with the viewer
    finally:
        try:
            os.kill(player_pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_missing_player_prints_the_url_and_a_command_to_paste(procs, start_host, tmp_path):
    host = start_host()
    empty = tmp_path / "empty"
    empty.mkdir()
    viewer = _viewer_with_path(procs, host.ticket, str(empty), "--player", "vlc")
    line = viewer.wait_stderr("VLC is not installed", 10)
    assert line, f"no message about the missing player\n{viewer.diag()}"
    assert viewer.wait_stderr(f"mpv --profile=low-latency --audio-buffer=0.2 --cache=no", 5), viewer.diag()
    assert viewer.running, "a missing player must not stop the viewer"
    assert viewer.url.startswith("http://127.0.0.1:")


def test_player_none_prints_a_ready_to_paste_command(procs, start_host):
    host = start_host()
    viewer = procs.start_viewer(host.ticket)
    assert viewer.wait_stderr(f"open it with: mpv --profile=low-latency --audio-buffer=0.2 --cache=no --force-window=immediate --title=pixelpass {viewer.url}", 10), viewer.diag()


def test_a_player_started_without_a_display_ends_with_the_viewer(procs, start_host, tmp_path):
    host = start_host()
    bindir = tmp_path / "bin"
    _fake_player(bindir, "mpv")
    viewer = _viewer_with_path(procs, host.ticket, f"{bindir}:{os.environ['PATH']}", "--player", "mpv")
    record = _wait_file(bindir / "mpv.record", 15)
    assert record, f"the player was not started\n{procs.diag()}"
    player_pid = int(record.split(" ", 1)[0])
    try:
        assert _wait_file(bindir / "mpv.decoded", 30) == "0", procs.diag()
        os.killpg(viewer.pid, signal.SIGINT)
        assert viewer.wait_exit(10) == 0, viewer.diag()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and Path(f"/proc/{player_pid}").exists():
            time.sleep(0.1)
        assert not Path(f"/proc/{player_pid}").exists(), "an invisible player outlived the viewer"
    finally:
        try:
            os.kill(player_pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
