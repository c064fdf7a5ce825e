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


def test_resize_renegotiates_on_the_same_node(wayland):
    source = wayland.video_source("resizable", width=640, height=480, fps=30)
    serial = wayland.node_serial("resizable")
    # Two consumers at once: plain pipewiresrc, and one that reconfigures
    # pipewiresrc when a buffer stops matching its caps.
    plain = wayland.watch_video(source.node, seconds=3)
    reconf = wayland.watch_video(source.node, seconds=3, reconfigure=True)
    source.resize(800, 600)
    plain, reconf = wayland.watch_result(plain), wayland.watch_result(reconf)
    print(f"plain: {plain}\nreconfigure: {reconf}")
    # The same node renegotiated: nothing was re-created.
    assert wayland.node_id("resizable") == source.node and wayland.node_serial("resizable") == serial
    for result in (plain, reconf):
        assert result["errors"] == [], result
        sizes = [s["buffer_size"] for s in result["segments"]]
        assert sizes[0] == 640 * 480 * 4 and sizes[-1] == 800 * 600 * 4, result
        assert result["segments"][-1]["frames"] >= 10, result
    # pipewiresrc 0.3.65 takes the new format (buffers of the new size) but
    # keeps its first caps downstream...
    assert all("width=(int)640" in s["caps"] for s in plain["segments"]), plain
    # ... until its src pad is marked for reconfiguration: then it
    # renegotiates (reconnecting to the same node) and the caps follow.
    last = reconf["segments"][-1]["caps"]
    assert "width=(int)800" in last and "height=(int)600" in last, reconf
    assert reconf["reconfigures"] == 1, reconf


def test_restart_makes_a_new_node(wayland):
    source = wayland.video_source("restartable", width=640, height=480, fps=30)
    old_serial = wayland.node_serial("restartable")
    new = source.restart(800, 600)
    assert wayland.node_serial("restartable") != old_serial and wayland.node_id("restartable") == new
    restarted = wayland.measure_fps(new, seconds=0.5, warmup=0.2)
    assert "width=(int)800" in restarted["caps"] and "height=(int)600" in restarted["caps"], restarted


def test_consumers_one_after_another_all_get_frames(wayland):
    # Separate processes, one after another, like `pixelpass host` run twice.
    node = wayland.default_video_node
    for i in range(3):
        done = subprocess.run(["gst-launch-1.0", "-q", "pipewiresrc", f"path={node}", "num-buffers=15", "!",
                               "video/x-raw", "!", "fakesink"], env=wayland.env, capture_output=True, timeout=15)
        assert done.returncode == 0, (i, done.stderr.decode(errors="replace"))


def test_spawn_mode_gives_each_session_its_own_node(wayland):
    wayland.backend(spawn=dict(width=640, height=360, fps=30))
    first = wayland.portal_session(hold=20)
    node_a = first.events[-1]["streams"][0][0]
    assert first.events[-1]["streams"][0][1]["size"] == [640, 360]
    spawned = wayland.spawned_sources()
    assert [s["node"] for s in spawned] == [node_a], spawned
    assert wayland.node_id(spawned[0]["name"]) == node_a
    assert node_a != wayland.default_video_node
    measured = wayland.measure_fps(node_a, seconds=0.5, warmup=0.2)
    assert "width=(int)640" in measured["caps"] and measured["frames"] > 5, measured

    second = wayland.portal_session(hold=20)
    node_b = second.events[-1]["streams"][0][0]
    assert node_b != node_a and {s["node"] for s in wayland.spawned_sources()} == {node_a, node_b}

    # Resizing through the backend renegotiates both, each on its node.
    watcher = wayland.watch_video(node_b, seconds=2)
    assert wayland.resize_spawned(800, 600) == 2
    watched = wayland.watch_result(watcher)
    assert watched["errors"] == [] and watched["segments"][-1]["buffer_size"] == 800 * 600 * 4, watched

    # The compositor ends the sessions: their nodes go away.
    names = [s["name"] for s in wayland.spawned_sources()]
    assert wayland.close_session_from_compositor() == 2
    first.wait_closed(timeout=5)
    assert wayland.spawned_sources() == []
    for name in names:
        assert wayland.node_id(name) is None, name

    # A session the client closes (a flow that ends) stops its source too.
    mark = len(wayland.backend_calls())
    flow = wayland.portal_flow()
    assert flow.ok, flow.events
    node_c = flow.streams[0][0]
    stop = wayland.wait_backend_call("SourceStopped", after=mark, timeout=10)
    assert stop["node"] == node_c and stop["why"] == "Session.Close", stop
    assert wayland.spawned_sources() == []


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
