"""Tests of the Wayland lab itself: the real xdg-desktop-portal frontend with
the fake ScreenCast backend, synthetic PipeWire sources, and teardown."""

from __future__ import annotations

import re
import subprocess
import time

import pytest

from wayland_lab import BACKEND_BUS_NAME, WaylandLab


def _portal_properties(lab) -> dict:
    out = lab._run(["gdbus", "call", "--session", "--dest", "org.freedesktop.portal.Desktop",
                    "--object-path", "/org/freedesktop/portal/desktop", "--method",
                    "org.freedesktop.DBus.Properties.GetAll", "org.freedesktop.portal.ScreenCast"])
    return {k: int(v) for k, v in re.findall(r"'(\w+)': <uint32 (\d+)>", out)}


def test_frontend_exposes_screencast_of_the_fake_backend(wayland):
    props = _portal_properties(wayland)
    assert props.get("version", 0) >= 4, props
    assert props.get("AvailableSourceTypes") == 3, props
    assert props.get("AvailableCursorModes") == 7, props
    # The environment a pixelpass process gets.
    env = wayland.env
    assert "DISPLAY" not in env
    assert env["WAYLAND_DISPLAY"] == "wayland-pixelpass-test"
    assert env["XDG_CURRENT_DESKTOP"] == "pixelpass-test"
    assert env["XDG_CONFIG_HOME"] == str(wayland.config_home) and wayland.config_home.is_dir()
    assert env["PIXELPASS_LAB_DIR"] == str(wayland.dir)
    assert wayland.default_sink()


def test_full_flow_streams_the_synthetic_node_and_restores(wayland):
    node = wayland.default_video_node
    first = wayland.portal_flow(
        persist_mode=2, cursor_mode=2,
        exec_argv=["gst-launch-1.0", "-q", "pipewiresrc", "fd={fd}", "path={node}", "num-buffers=30",
                   "!", "video/x-raw", "!", "fakesink"])
    assert first.ok, first.events
    assert first.responses() == {"CreateSession": 0, "SelectSources": 0, "Start": 0}
    assert first.streams[0][0] == node
    assert first.streams[0][1]["size"] == [1280, 720]
    assert first.streams[0][1]["source_type"] == 1
    assert first.restore_token, "the frontend returned no restore_token"
    assert first.exec_status == 0, "pipewiresrc through the portal's fd did not get 30 buffers"

    calls = wayland.backend_calls()
    select = next(c for c in calls if c["method"] == "SelectSources")
    assert select["app_id"] == "" and select["persist_mode"] == 2 and select["types"] == 1
    assert select["cursor_mode"] == 2 and not select["has_restore_data"]

    mark = len(calls)
    second = wayland.portal_flow(persist_mode=2, restore_token=first.restore_token)
    assert second.ok, second.events
    select = wayland.wait_backend_call("SelectSources", after=mark)
    assert select["has_restore_data"], select
    assert select["restore_data"] == ["pixelpass-test", 1, "pixelpass-test-video"]
    assert second.restore_token  # 1.16 hands the same token back after a restore
    print(f"tokens: first {first.restore_token}, second {second.restore_token}")


def test_unknown_restore_token_is_dropped(wayland):
    flow = wayland.portal_flow(persist_mode=2, restore_token="00000000-0000-4000-8000-000000000000")
    assert flow.ok
    select = wayland.wait_backend_call("SelectSources")
    assert not select["has_restore_data"]


@pytest.mark.parametrize("mode,code", [("cancel", 1), ("error", 2)])
def test_backend_refusal_reaches_the_client(wayland, mode, code):
    wayland.backend(mode=mode)
    flow = wayland.portal_flow()
    assert flow.responses() == {"CreateSession": 0, "SelectSources": 0, "Start": code}, flow.events
    assert flow.started is None
    start = wayland.wait_backend_call("Start")
    assert start["response"] == code and start["mode"] == mode


def test_compositor_closing_the_session_reaches_the_client(wayland):
    session = wayland.portal_session(hold=15)
    assert any(e["event"] == "started" for e in session.events), session.events
    assert wayland.close_session_from_compositor() == 1
    closed = session.wait_closed(timeout=5)
    assert closed["after"] < 5
    session.stop()


def test_source_at_120_fps_delivers_120_fps(wayland):
    source = wayland.video_source("fast", width=640, height=360, fps=120)
    measured = wayland.measure_fps(source.node, seconds=2)
    print(f"measured {measured}")
    assert "framerate=(fraction)120/1" in (measured["caps"] or ""), measured
    assert 100 <= measured["fps"] <= 130, measured


def test_resize_keeps_the_first_format_and_restart_makes_a_new_node(wayland):
    source = wayland.video_source("resizable", width=640, height=480, fps=30, resizable=True)
    before = wayland.measure_fps(source.node, seconds=0.5, warmup=0.2)
    assert "width=(int)640" in before["caps"], before
    source.resize(800, 600)
    time.sleep(0.5)
    after = wayland.measure_fps(source.node, seconds=0.5, warmup=0.2)
    # PipeWire 0.3.65's pipewiresink does not renegotiate a connected stream.
    assert after["frames"] > 0 and "width=(int)640" in after["caps"], after
    old_serial = wayland.node_serial("resizable")
    new = source.restart(800, 600)
    assert wayland.node_serial("resizable") != old_serial and wayland.node_id("resizable") == new
    restarted = wayland.measure_fps(new, seconds=0.5, warmup=0.2)
    assert "width=(int)800" in restarted["caps"] and "height=(int)600" in restarted["caps"], restarted


def test_app_tones_are_separate_audio_streams(wayland):
    a = wayland.app_tone("ToneA", 440)
    b = wayland.app_tone("ToneB", 1250, binary="toneb-player")
    streams = {o["info"]["props"].get("application.name"): o["info"]["props"]
               for o in wayland.nodes("Stream/Output/Audio")}
    assert {"ToneA", "ToneB"} <= set(streams), streams
    assert streams["ToneA"].get("application.process.binary") == "tonea", streams["ToneA"]
    assert streams["ToneB"].get("application.process.binary") == "toneb-player", streams["ToneB"]
    assert a.running() and b.running()
    a.stop()
    time.sleep(0.5)
    names = {o["info"]["props"].get("application.name") for o in wayland.nodes("Stream/Output/Audio")}
    assert "ToneA" not in names and "ToneB" in names


def test_teardown_leaves_no_processes():
    lab = WaylandLab()
    lab.start()
    lab.video_source("extra", width=320, height=240)
    lab.app_tone("ToneA", 440)
    lab.portal_flow(persist_mode=2)  # activates xdg-permission-store
    lab_dir = lab.dir
    assert len(lab.leftover_processes()) >= 7
    lab.close()
    assert lab.leftover_processes() == []
    assert not lab_dir.exists()
