"""When capture runs, and how host and viewer end a share.

- Capture starts lazily on the first stream request (not on a viewer's
  connection), stops ~3 s after the last player leaves, and starts again for
  a later player.
- The host stopping (SIGINT/SIGTERM) ends the share cleanly on the viewer
  (exit 0, "the host ended the share") and ends the player's HTTP response.
- The host dying (SIGKILL) makes the viewer give up after its idle timeout
  (exit 3, "lost contact") and also ends the player's response.
"""

from __future__ import annotations

import signal
import time

import pytest

from conftest import ffmpeg_frames

CAPTURE_STARTED = "first viewer: capture started"
CAPTURE_STOPPED = "last viewer left: capture stopped"


def _decode(procs, url, frames):
    result = procs.ffmpeg(url, frames=frames).result()
    why = f"\n{result.describe()}\n{procs.diag()}"
    assert not result.timed_out and result.returncode == 0, "ffmpeg failed" + why
    assert result.stderr.strip() == "", "ffmpeg reported errors" + why
    assert ffmpeg_frames(result) == frames, f"ffmpeg decoded {ffmpeg_frames(result)} of {frames} frames" + why
    return result


def test_capture_starts_lazily_stops_after_grace_and_restarts(procs):
    host = procs.start_host()
    viewer = procs.start_viewer(host.ticket)

    # A connected viewer without a player does not start the capture.
    host.wait_stderr(" connected from ", 5, context=procs.diag)
    time.sleep(1.5)
    assert host.find_stderr(CAPTURE_STARTED) is None, \
        f"capture started before any player asked for the stream\n{procs.diag()}"

    # The first player starts it.
    first = procs.ffmpeg(viewer.url, frames=45)
    started_line, _ = host.wait_stderr(CAPTURE_STARTED, 10, context=procs.diag)
    result = first.result()
    why = f"\n{result.describe()}\n{procs.diag()}"
    assert result.returncode == 0 and ffmpeg_frames(result) == 45, "first player failed" + why
    player_left = time.monotonic()

    # ~3 s after the player disconnects, capture stops (not right away).
    stopped_line, stopped_at = host.wait_stderr(CAPTURE_STOPPED, 10, start=started_line, context=procs.diag)
    delay = stopped_at - player_left
    assert 2.0 <= delay <= 5.5, \
        f"capture stopped {delay:.1f} s after the player left; expected about 3 s\n{procs.diag()}"

    # A later player starts it again, and is served.
    _decode(procs, viewer.url, 30)
    host.wait_stderr(CAPTURE_STARTED, 2, start=stopped_line + 1, context=procs.diag)
    assert host.running(), f"host died\n{procs.diag()}"


def test_player_returning_within_grace_keeps_capture_running(procs):
    host = procs.start_host()
    viewer = procs.start_viewer(host.ticket)

    _decode(procs, viewer.url, 30)
    _decode(procs, viewer.url, 30)  # starts well within the 3 s grace period

    starts = [line for line in host.stderr_since(0) if CAPTURE_STARTED in line]
    stops = [line for line in host.stderr_since(0) if CAPTURE_STOPPED in line]
    assert len(starts) == 1 and not stops, \
        f"capture restarted for a player that came back within the grace period\n{procs.diag()}"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_host_stop_while_streaming_ends_share_cleanly(procs, sig):
    host = procs.start_host()
    viewer = procs.start_viewer(host.ticket)
    reader = procs.http_reader(viewer.url)
    assert reader.wait_bytes(100_000, 15), f"the player received no stream\n{procs.diag()}"
    assert reader.status == 200, f"the relay answered {reader.status}\n{procs.diag()}"

    stopped_at = time.monotonic()
    host.send_signal(sig)

    host_rc = host.wait_exit(5)
    assert host_rc == 0, f"host did not exit 0 within 5 s of {sig.name} (rc={host_rc})\n{procs.diag()}"
    viewer_rc = viewer.wait_exit(5)
    assert viewer_rc == 0, \
        f"viewer did not exit 0 within 5 s of the host stopping (rc={viewer_rc})\n{procs.diag()}"
    assert viewer.find_stderr("the host ended the share"), \
        f"viewer did not say the host ended the share\n{procs.diag()}"
    assert reader.wait_end(5), f"the player's HTTP response did not end\n{procs.diag()}"
    assert reader.error is None and not reader.closed_by_us, \
        f"the response did not end with a clean EOF: {reader.error!r}\n{procs.diag()}"
    assert reader.eof_at - stopped_at < 5, f"the response ended late\n{procs.diag()}"


def test_the_player_is_shown_that_the_host_ended_the_share(procs):
    """A viewer that has watched a few seconds has its farewell picture
    ready: after the host stops, the player gets about 3 s more of stream
    (the picture), then the response ends."""
    host = procs.start_host()
    viewer = procs.start_viewer(host.ticket)
    reader = procs.http_reader(viewer.url)
    assert reader.wait_bytes(100_000, 15), f"the player received no stream\n{procs.diag()}"
    time.sleep(4)
    before = reader.body_bytes
    stopped_at = time.monotonic()
    host.send_signal(signal.SIGINT)
    assert reader.wait_end(10), f"the player's HTTP response did not end\n{procs.diag()}"
    shown = reader.eof_at - stopped_at
    assert reader.body_bytes - before > 5_000, f"no picture after the host stopped\n{procs.diag()}"
    assert 2.5 <= shown <= 5, f"the response ended {shown:.1f} s after the host stopped\n{procs.diag()}"


def test_viewer_interrupt_while_streaming(procs):
    host = procs.start_host()
    viewer = procs.start_viewer(host.ticket)
    reader = procs.http_reader(viewer.url)
    assert reader.wait_bytes(50_000, 15), f"the player received no stream\n{procs.diag()}"
    mark = host.stderr_mark()

    viewer.send_signal(signal.SIGINT)

    rc = viewer.wait_exit(5)
    assert rc == 0, f"viewer did not exit 0 within 5 s of SIGINT (rc={rc})\n{procs.diag()}"
    assert reader.wait_end(3), f"the player's HTTP response did not end\n{procs.diag()}"
    host.wait_stderr("disconnected", 5, start=mark, context=procs.diag)
    assert host.running(), f"the host stopped when a viewer left\n{procs.diag()}"


def test_host_killed_viewer_reports_lost_contact(procs):
    host = procs.start_host()
    viewer = procs.start_viewer(host.ticket)
    reader = procs.http_reader(viewer.url, read_timeout=40)
    assert reader.wait_bytes(100_000, 15), f"the player received no stream\n{procs.diag()}"

    killed_at = time.monotonic()
    host.send_signal(signal.SIGKILL)
    assert host.wait_exit(3) == -signal.SIGKILL

    rc = viewer.wait_exit(15)
    assert rc == 3, f"viewer did not exit 3 within 15 s of the host dying (rc={rc})\n{procs.diag()}"
    assert viewer.find_stderr("lost contact"), f"viewer did not say it lost contact\n{procs.diag()}"
    # The player's response ends too (at the latest when the viewer exits).
    assert reader.wait_end(3), f"the player's HTTP response did not end\n{procs.diag()}"
    assert not reader.closed_by_us
    assert reader.eof_at - killed_at < 16, f"the response ended late\n{procs.diag()}"
