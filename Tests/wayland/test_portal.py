"""pixelpass on a Wayland session, against the real xdg-desktop-portal 1.16
frontend, a fake ScreenCast backend and PipeWire (see wayland_lab.py): the
portal flow end to end, the remembered choice, a cancelled dialog, no portal,
a fast monitor held at --fps, and the desktop ending the cast."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time

import pytest

from pixelpass_run import Runner, decode, frames_in, pixelpass_binary, tone_levels


@pytest.fixture
def run(wayland):
    runner = Runner(wayland)
    yield runner
    runner.close()


def _calls(lab, method: str) -> list[dict]:
    return [c for c in lab.backend_calls() if c.get("method") == method]


def _decoded_cleanly(result, frames: int, diag) -> None:
    assert result.returncode == 0 and not result.stderr.strip(), f"ffmpeg: {result.stderr[-1500:]}\n{diag()}"


def test_auto_on_wayland_asks_the_portal_and_a_viewer_decodes_150_frames(wayland, run):
    host = run.host("--no-audio")  # --source auto: WAYLAND_DISPLAY is set, DISPLAY is not
    host.wait_stderr(r"capture: portal monitor \(PipeWire node \d+\) 1280x720", 10)
    assert "asking the desktop what to share: choose a monitor or window in its dialog" in host.stderr_text
    select = _calls(wayland, "SelectSources")[-1]
    assert (select["types"], select["cursor_mode"], select["persist_mode"], select["multiple"]) == (3, 2, 2, False), select
    viewer = run.viewer(host.ticket)
    _decoded_cleanly(decode(viewer.url, 150), 150, run.diag)
    viewer.stop()
    # The capture stops with the last viewer and starts again for the next
    # one, through the same portal remote.
    host.wait_stderr(r"last viewer left: capture stopped|capture stopped", 10)
    again = run.viewer(host.ticket)
    _decoded_cleanly(decode(again.url, 30), 30, run.diag)
    again.stop()
    assert host.stop() == 0, host.diag()
    wayland.wait_backend_call("Session.Close", timeout=5)
    token = wayland.config_home / "pixelpass" / "screencast-any.token"
    assert token.is_file() and len(token.read_text().strip()) == 36, "no restore token stored"


def test_the_choice_is_remembered_and_forget_source_asks_again(wayland, run):
    first = run.host("--no-audio")
    first.wait_stderr("capture: portal", 10)
    assert first.stop() == 0, first.diag()
    assert _calls(wayland, "SelectSources")[-1]["has_restore_data"] is False

    second = run.host("--no-audio")
    second.wait_stderr("capture: portal", 10)
    assert "asking the desktop for the screen chosen last time" in second.stderr_text, second.diag()
    assert second.stop() == 0, second.diag()
    restored = _calls(wayland, "SelectSources")[-1]
    assert restored["has_restore_data"] is True, restored
    assert restored["restore_data"][2] == "pixelpass-test-video", restored

    third = run.host("--no-audio", "--forget-source")
    third.wait_stderr("capture: portal", 10)
    assert "forgot the screen chosen last time" in third.stderr_text, third.diag()
    assert third.stop() == 0, third.diag()
    assert _calls(wayland, "SelectSources")[-1]["has_restore_data"] is False


@pytest.mark.parametrize("at", ["SelectSources", "Start"])
def test_a_cancelled_dialog_exits_6_and_says_so(wayland, run, at):
    wayland.backend(mode="cancel", at=at)
    host = run.host("--source", "portal", "--no-audio", "--output", "json", expect_ticket=False)
    assert host.wait_exit(20) == 6, host.diag()
    assert "Sharing cancelled by the user" in host.stderr_text, host.diag()
    events = [json.loads(line) for line in host.stdout_lines]
    assert [e["event"] for e in events] == ["error", "ended"], events
    assert events[-1]["exit_code"] == 6, events
    assert not any(line.startswith("pixelpass1-") for line in host.stdout_lines)
    # Nothing is left open at the portal.
    assert not _calls(wayland, "Start") if at == "SelectSources" else True


def test_a_portal_error_is_a_failure_naming_the_step(wayland, run):
    wayland.backend(mode="error", at="Start")
    host = run.host("--source", "portal", "--no-audio", expect_ticket=False)
    assert host.wait_exit(20) == 1, host.diag()
    assert "The ScreenCast portal refused Start" in host.stderr_text, host.diag()


# A session bus that can start nothing: no portal at all.
BARE_BUS = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:dir={dir}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>"""


def _private_bus(config_text: str, tmp_path):
    config = tmp_path / "bus.conf"
    config.write_text(config_text.format(dir=tmp_path))
    bus = subprocess.Popen(["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"],
                           stdout=subprocess.PIPE, text=True, start_new_session=True)
    return bus, bus.stdout.readline().strip()


def test_without_a_portal_the_message_names_the_packages_and_x11(wayland, run, tmp_path):
    bus, address = _private_bus(BARE_BUS, tmp_path)
    try:
        host = run.host("--no-audio", env=dict(wayland.env, DBUS_SESSION_BUS_ADDRESS=address), expect_ticket=False)
        assert host.wait_exit(20) == 2, host.diag()
        text = host.stderr_text
        assert "no xdg-desktop-portal on the session bus" in text, text
        assert "install xdg-desktop-portal" in text and "--source x11" in text, text
    finally:
        os.killpg(bus.pid, signal.SIGKILL)
        bus.wait(timeout=5)
    no_bus = run.host("--no-audio", env=dict(wayland.env, DBUS_SESSION_BUS_ADDRESS=f"unix:path={tmp_path}/none"),
                      expect_ticket=False)
    assert no_bus.wait_exit(20) == 2, no_bus.diag()
    assert "cannot connect to the D-Bus session bus" in no_bus.stderr_text, no_bus.diag()


def test_a_portal_without_a_screencast_backend_says_which_is_missing(wayland, run):
    # The lab's frontend, but the desktop name matches no backend's UseIn and
    # the fallback finds none: the frontend runs without ScreenCast.
    frontend_env = dict(wayland.env, XDG_CURRENT_DESKTOP="elsewhere", XDG_DESKTOP_PORTAL_DIR=str(wayland.dir / "no-portals"))
    (wayland.dir / "no-portals").mkdir(exist_ok=True)
    bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"], stdout=subprocess.PIPE,
                           text=True, env=frontend_env, start_new_session=True)
    address = bus.stdout.readline().strip()
    env = dict(frontend_env, DBUS_SESSION_BUS_ADDRESS=address)
    frontend = subprocess.Popen(["/usr/libexec/xdg-desktop-portal", "-r"], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and subprocess.run(
                ["gdbus", "introspect", "--session", "--dest", "org.freedesktop.portal.Desktop", "--object-path",
                 "/org/freedesktop/portal/desktop"], env=env, capture_output=True).returncode != 0:
            time.sleep(0.2)
        host = run.host("--no-audio", env=env, expect_ticket=False)
        assert host.wait_exit(20) == 2, host.diag()
        assert "xdg-desktop-portal runs, but no backend offers ScreenCast" in host.stderr_text, host.diag()
    finally:
        for proc in (frontend, bus):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def test_a_120hz_monitor_is_delivered_at_the_chosen_30_fps(wayland, run):
    fast = wayland.video_source("pixelpass-test-120hz", width=640, height=360, fps=120)
    measured = wayland.measure_fps(fast.node, seconds=1.5)
    assert measured["fps"] > 100, f"the synthetic source is not fast: {measured}"
    wayland.backend(node=fast.node, size=(640, 360))
    host = run.host("--no-audio", "--fps", "30")
    host.wait_stderr(r"capture: portal monitor \(PipeWire node %d\) 640x360 → 640x360@30" % fast.node, 10)
    viewer = run.viewer(host.ticket)
    frames, errors = frames_in(viewer.url, 4)
    assert not errors, errors
    # 4 s of stream time at 30 fps: 120 frames (a 120 Hz flood would be 480).
    assert 105 <= frames <= 135, f"{frames} frames in 4 s of stream time"


def _last_gray_frame(url: str, width: int = 1280, height: int = 720, frames: int = 20) -> bytes:
    r = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", url, "-frames:v", str(frames), "-vf", "format=gray",
                        "-f", "rawvideo", "-"], capture_output=True, timeout=30)
    size = width * height
    assert len(r.stdout) >= size, f"no frame decoded: {r.stderr.decode()[-1000:]}"
    return r.stdout[len(r.stdout) - size:]


def _column_mean(frame: bytes, x0: int, x1: int, width: int = 1280, height: int = 720) -> float:
    total = sum(sum(frame[y * width + x0:y * width + x1]) for y in range(0, height, 8))
    return total / ((x1 - x0) * len(range(0, height, 8)))


def test_a_shared_window_that_changes_size_keeps_streaming(wayland, run):
    # Like a real compositor: a fresh stream node for the session, renegotiated
    # on that node when the window is resized.
    wayland.backend(spawn=dict(width=1280, height=720, fps=30, name="pixelpass-test-window"), source_type=2,
                    size=(1280, 720))
    host = run.host("--no-audio", "--source", "portal", "--portal-source", "window")
    host.wait_stderr(r"capture: portal window \(PipeWire node \d+\) 1280x720", 10)
    viewer = run.viewer(host.ticket)
    result = {}
    reader = threading.Thread(target=lambda: result.update(zip(("frames", "errors"), frames_in(viewer.url, 9))))
    reader.start()
    time.sleep(2.5)
    # Smaller and square: the share keeps its 1280x720 and shows the window
    # pillarboxed (black bars left and right), which only happens if the new
    # size was understood rather than the new frames read with the old one.
    assert wayland.resize_spawned(720, 720) == 1
    time.sleep(1.5)
    frame = _last_gray_frame(viewer.url)
    bars, middle = _column_mean(frame, 0, 200), _column_mean(frame, 400, 880)
    assert bars < 24 and middle > bars + 20, f"no pillarbox after the resize: bars {bars:.1f}, middle {middle:.1f}"
    reader.join(60)
    assert host.popen.poll() is None, f"the host ended on a resize ({result})\n{host.diag()}"
    assert not result.get("errors"), result
    # 9 s at 30 fps; a stall of more than a second or so around a resize would show.
    assert result.get("frames", 0) >= 230, result


def test_the_desktop_stopping_the_cast_ends_the_share(wayland, run):
    host = run.host("--no-audio")
    viewer = run.viewer(host.ticket)
    _decoded_cleanly(decode(viewer.url, 30), 30, run.diag)
    assert wayland.close_session_from_compositor() == 1
    assert host.wait_exit(10) == 1, host.diag()
    assert "the desktop stopped the screen cast" in host.stderr_text, host.diag()
    assert viewer.wait_exit(10) == 0, viewer.diag()
    assert "the host ended the share" in viewer.stderr_text, viewer.diag()


def test_the_portal_choice_is_validated_before_the_dialog(wayland, run):
    for args, message in [(["--source", "portal", "--window", "x"], "--window goes with --source x11"),
                          (["--source", "x11", "--portal-source", "window"], "--portal-source goes with --source portal"),
                          (["--portal-source", "screen"], "--portal-source")]:
        proc = run.spawn("host", [pixelpass_binary(), "host", *args])
        assert proc.wait_exit(10) == 2, proc.diag()
        assert message in proc.stderr_text, proc.diag()
    assert not _calls(wayland, "CreateSession"), "a bad command line reached the portal"


def test_app_audio_on_wayland_sends_only_that_application(wayland, run):
    wayland.app_tone("ToneA", 440)
    wayland.app_tone("ToneB", 1250)
    host = run.host("--app", "tonea")
    host.wait_stderr("ToneA is playing|tonea is playing|is playing", 10)
    viewer = run.viewer(host.ticket)
    levels = tone_levels(viewer.url)
    assert levels["ToneA"] > 40 and levels["ToneA"] > levels["ToneB"] + 30, levels


def test_system_audio_on_wayland_is_the_default_output_with_every_application(wayland, run):
    wayland.app_tone("ToneA", 440)
    wayland.app_tone("ToneB", 1250)
    host = run.host()
    host.wait_stderr(r"capture: portal .*audio: .*PipeWire monitor", 10)
    viewer = run.viewer(host.ticket)
    levels = tone_levels(viewer.url)
    assert levels["ToneA"] > 40 and levels["ToneB"] > 40, levels
