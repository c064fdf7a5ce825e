"""Real players decode the stream a viewer serves on its local URL.

host (test source) → QUIC/HTTP/3 → `pixelpass view` → http://127.0.0.1:PORT/
→ ffmpeg / ffprobe / mpv / VLC.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile

from conftest import ffmpeg_frames, require_tool


def test_ffmpeg_decodes_150_frames_at_default_settings(procs):
    host = procs.start_host(fast=False)  # default 1280x720@30 with audio
    viewer = procs.start_viewer(host.ticket)

    result = procs.ffmpeg(viewer.url, frames=150).result()

    assert not result.timed_out and result.returncode == 0, f"{result.describe()}\n{procs.diag()}"
    assert result.stderr.strip() == "", \
        f"ffmpeg -v error reported errors while decoding:\n{result.describe()}\n{procs.diag()}"
    assert ffmpeg_frames(result) == 150, \
        f"ffmpeg decoded {ffmpeg_frames(result)} frames, expected 150\n{result.describe()}\n{procs.diag()}"
    host.wait_stderr("capture started (1280x720@30, 4000 kbit/s, audio)", 2, context=procs.diag)


def _ffprobe_streams(procs, url):
    require_tool("ffprobe")
    result = procs.run_tool("ffprobe", ["ffprobe", "-v", "error", "-show_entries",
                                        "stream=codec_type,codec_name,width,height", "-of", "json", url],
                            timeout=30)
    assert not result.timed_out and result.returncode == 0, f"{result.describe()}\n{procs.diag()}"
    assert result.stderr.strip() == "", f"ffprobe reported errors:\n{result.describe()}\n{procs.diag()}"
    return json.loads(result.stdout)["streams"], result


def test_ffprobe_reports_h264_1280x720_and_aac(procs):
    host = procs.start_host(fast=False)
    viewer = procs.start_viewer(host.ticket)

    streams, result = _ffprobe_streams(procs, viewer.url)

    video = [s for s in streams if s.get("codec_type") == "video"]
    audio = [s for s in streams if s.get("codec_type") == "audio"]
    why = f"\nffprobe streams: {streams}\n{result.describe()}\n{procs.diag()}"
    assert len(video) == 1 and video[0]["codec_name"] == "h264", "expected one H.264 video stream" + why
    assert (video[0].get("width"), video[0].get("height")) == (1280, 720), "expected 1280x720" + why
    assert len(audio) == 1 and audio[0]["codec_name"] == "aac", "expected one AAC audio stream" + why


def test_no_audio_host_has_no_audio_stream(procs):
    host = procs.start_host(fast=False, audio=False)
    viewer = procs.start_viewer(host.ticket)

    streams, result = _ffprobe_streams(procs, viewer.url)

    why = f"\nffprobe streams: {streams}\n{result.describe()}\n{procs.diag()}"
    assert [s["codec_name"] for s in streams if s.get("codec_type") == "video"] == ["h264"], \
        "expected one H.264 video stream" + why
    assert [s for s in streams if s.get("codec_type") == "audio"] == [], \
        "--no-audio host still sends an audio stream" + why


def test_mpv_plays_60_frames(procs):
    require_tool("mpv")
    host = procs.start_host(fast=False)
    viewer = procs.start_viewer(host.ticket)

    result = procs.run_tool("mpv", ["mpv", "--no-config", "--vo=null", "--ao=null",
                                    "--frames=60", viewer.url], timeout=40)

    output = result.stdout + "\n" + result.stderr
    why = f"\n{result.describe()}\n{procs.diag()}"
    assert not result.timed_out and result.returncode == 0, "mpv did not play to the end" + why
    assert re.search(r"Video --vid=1 \(h264 1280x720", output), "mpv found no H.264 1280x720 video track" + why
    assert re.search(r"Audio --aid=1 \(aac", output), "mpv found no AAC audio track" + why
    # The video output is only configured once the decoder produced a frame.
    assert re.search(r"VO: \[null\] 1280x720", output), "mpv never configured its video output" + why
    assert "Exiting... (End of file)" in output, "mpv did not stop after its 60 frames" + why


def _vlc_command(url: str, home: str) -> list[str]:
    vlc = ["cvlc", "-vv", "-I", "dummy", "--no-dbus", "--vout=dummy", "--aout=dummy",
           "--play-and-exit", "--run-time=5", url]
    if os.geteuid() != 0:
        return ["env", f"HOME={home}", *vlc]
    # VLC refuses to run as root ("VLC is not supposed to be run as root"):
    # run it as nobody, with a home it can write.
    require_tool("runuser")
    return ["runuser", "-u", "nobody", "--", "env", f"HOME={home}", "XDG_RUNTIME_DIR=", *vlc]


def test_vlc_plays_the_stream(procs):
    require_tool("cvlc")
    host = procs.start_host(fast=False)
    viewer = procs.start_viewer(host.ticket)
    home = tempfile.mkdtemp(prefix="pixelpass-vlc-")
    os.chmod(home, 0o777)
    try:
        result = procs.run_tool("vlc", _vlc_command(viewer.url, home), timeout=40)
    finally:
        shutil.rmtree(home, ignore_errors=True)

    log = result.stdout + "\n" + result.stderr
    why = f"\n{result.describe()}\n{procs.diag()}"
    assert not result.timed_out and result.returncode == 0, "VLC did not play and exit" + why
    assert "not supposed to be run as root" not in log, "VLC refused to run" + why
    for missing in ("no suitable demux", "no suitable decoder", "no suitable access"):
        assert missing not in log, f"VLC says {missing!r}" + why
    assert 'using demux module "ts"' in log, "VLC did not open the stream with its TS demuxer" + why
    assert re.search(r'using video decoder module "\w+"', log), "VLC opened no video decoder" + why
    assert re.search(r'using audio decoder module "\w+"', log), "VLC opened no audio decoder" + why
    assert "Received first picture" in log, "VLC never decoded a picture" + why


def test_player_restart_against_same_viewer(procs):
    """Each player connection gets its own upstream request starting at a
    keyframe, so running a player twice against one viewer works."""
    host = procs.start_host()
    viewer = procs.start_viewer(host.ticket)

    first = procs.ffmpeg(viewer.url, frames=60).result()
    second = procs.ffmpeg(viewer.url, frames=60).result()

    for label, result in (("first", first), ("second", second)):
        why = f"\n{label} run:\n{result.describe()}\n{procs.diag()}"
        assert not result.timed_out and result.returncode == 0, f"{label} ffmpeg run failed" + why
        assert result.stderr.strip() == "", f"{label} ffmpeg run reported errors" + why
        assert ffmpeg_frames(result) == 60, f"{label} run decoded {ffmpeg_frames(result)} of 60 frames" + why
    # Both runs went through the same viewer connection.
    watching = [line for line in host.stderr_since(0) if " is watching " in line]
    ids = {line.split()[2] for line in watching}
    assert len(watching) == 2 and len(ids) == 1, \
        f"expected two stream requests from one viewer, host saw: {watching}\n{procs.diag()}"


def test_two_local_players_at_once(procs):
    host = procs.start_host()
    viewer = procs.start_viewer(host.ticket)

    a = procs.ffmpeg(viewer.url, frames=120)
    b = procs.ffmpeg(viewer.url, frames=120)
    host.wait_stderr("is watching (2 watching)", 15, context=procs.diag)
    results = [a.result(), b.result()]

    for label, result in zip("ab", results):
        why = f"\nplayer {label}:\n{result.describe()}\n{procs.diag()}"
        assert not result.timed_out and result.returncode == 0, f"player {label} failed" + why
        assert result.stderr.strip() == "", f"player {label} reported errors" + why
        assert ffmpeg_frames(result) == 120, f"player {label} decoded {ffmpeg_frames(result)} of 120 frames" + why
