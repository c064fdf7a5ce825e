"""`--output json`: stdout is one JSON event per line (README "JSON events").
Every line is checked against the schema below; a host with two viewers
joining and leaving must tell the whole story in order."""

import json
import signal
import subprocess
import time

import pytest

from conftest import FAST, HostProcess, ViewerProcess

# Required fields and their types for each event (extra fields are allowed).
NUMBER = (int, float)
COMMON = {"event": str, "time": NUMBER}
VIEWER_STATS = {"viewer": str, "address": str, "path": str, "connected_seconds": NUMBER, "rtt_ms": NUMBER,
                "bitrate_kbps": NUMBER, "bytes_sent": int, "lag_bytes": int, "keyframe_skips": int, "streams": int,
                "estimated_kbps": NUMBER, "below_floor": bool}
ENCODER = {"mode": str, "bitrate_kbps": int, "ceiling_kbps": int, "floor_kbps": int, "width": int, "height": int,
           "fps": int}
HOST_VIDEO = {"bitrate_kbps": int, "width": int, "height": int, "fps": int, "keyframes_only": bool}
HOST_SCHEMA = {
    "ticket": {"ticket": str, "fingerprint": str, "kept": bool},
    "listening": {"addresses": list, "capture": str, "encoder": str, "audio": bool, "max_viewers": int},
    "viewer_joined": {"viewer": str, "address": str, "path": str},
    "viewer_left": {"viewer": str, "reason": str, "detail": str},
    "path_changed": {"viewer": str, "address": str, "path": str},
    "approval_requested": {"viewer": str, "address": str},
    "approval_ended": {"viewer": str, "answer": str},
    "stats": {"viewers": list, "upload_kbps": NUMBER, "bytes_sent": int, "capturing": bool, "encoder": dict},
    "error": {"message": str, "exit_code": int},
    "ended": {"reason": str, "exit_code": int},
}
VIEWER_SCHEMA = {
    "listening": {"url": str},
    "path_changed": {"address": str, "path": str},
    "player_opened": {"player": str, "pid": int},
    "player_failed": {"player": str, "message": str},
    "host_video": HOST_VIDEO,
    "stats": {"address": str, "path": str, "rtt_ms": NUMBER, "bitrate_kbps": NUMBER, "bytes_received": int,
              "players": int},
    "error": {"message": str, "exit_code": int},
    "ended": {"reason": str, "exit_code": int},
}
LEAVE_REASONS = {"left", "kicked", "timed_out", "host_ended", "error"}
PATHS = {"direct", "relayed"}


def parse_events(lines, schema, who):
    events = []
    for line in lines:
        try:
            event = json.loads(line)
        except json.JSONDecodeError as e:
            raise AssertionError(f"{who} printed a stdout line that is not JSON ({e}): {line!r}")
        assert isinstance(event, dict), f"{who}: not an object: {line!r}"
        name = event.get("event")
        assert name in schema, f"{who}: unknown event {name!r} in {line!r}"
        for key, kind in {**COMMON, **schema[name]}.items():
            assert key in event, f"{who}: {name} lacks {key!r}: {line!r}"
            assert isinstance(event[key], kind) and not (kind is int and isinstance(event[key], bool)), \
                f"{who}: {name}.{key} should be {kind}: {line!r}"
        if name == "stats" and "viewers" in event:
            for viewer in event["viewers"]:
                for key, kind in VIEWER_STATS.items():
                    assert isinstance(viewer.get(key), kind), f"{who}: stats viewer lacks {key}: {line!r}"
                assert viewer["path"] in PATHS
        if name == "stats" and "encoder" in event:
            for key, kind in ENCODER.items():
                assert isinstance(event["encoder"].get(key), kind), f"{who}: stats encoder lacks {key}: {line!r}"
            assert event["encoder"]["mode"] in {"adaptive", "fixed"} and event.get("limit") in {"uplink", "ceiling", None}
        if name == "viewer_left":
            assert event["reason"] in LEAVE_REASONS, line
        if "path" in event:
            assert event["path"] in PATHS, line
        events.append(event)
    times = [e["time"] for e in events]
    assert times == sorted(times), f"{who}: event times go backwards"
    return events


def wait_for(predicate, timeout, describe):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {describe()}")


def start_json_host(procs, *extra):
    argv = procs.pixelpass_argv("host", "--source", "test", "--bind", "127.0.0.1:0", *FAST, "--output", "json", *extra)
    host = procs.spawn(HostProcess, "json-host", argv)
    first = json.loads(host.wait_first_stdout_line(15))
    assert first["event"] == "ticket", f"first JSON line must be the ticket event: {first}"
    host.ticket = first["ticket"]
    return host


def start_json_viewer(procs, ticket, name):
    viewer = procs.spawn(ViewerProcess, name, procs.pixelpass_argv("view", ticket, "--player", "none", "--output", "json"))
    first = json.loads(viewer.wait_first_stdout_line(12, context=procs.diag))
    assert first["event"] == "listening" and first["url"].startswith("http://127.0.0.1:"), first
    viewer.url = first["url"]
    return viewer


def events_of(proc, schema):
    return parse_events(list(proc.stdout_lines), schema, proc.name)


def test_host_and_two_viewers_tell_the_whole_story(procs):
    host = start_json_host(procs)
    one = start_json_viewer(procs, host.ticket, "viewer-one")
    two = start_json_viewer(procs, host.ticket, "viewer-two")
    joined = wait_for(lambda: [e for e in events_of(host, HOST_SCHEMA) if e["event"] == "viewer_joined"][:2]
                      if len([e for e in events_of(host, HOST_SCHEMA) if e["event"] == "viewer_joined"]) >= 2 else None,
                      10, lambda: host.diag())
    ids = [e["viewer"] for e in joined]
    assert len(set(ids)) == 2 and all(len(i) == 8 for i in ids), ids

    # One player reads through viewer one: the host's stats show its bitrate.
    reader = procs.http_reader(one.url)
    assert reader.wait_bytes(300_000, 15), reader.describe()

    def watching_stats():
        for e in reversed(events_of(host, HOST_SCHEMA)):
            if e["event"] == "stats" and any(v["streams"] == 1 and v["bitrate_kbps"] > 100 for v in e["viewers"]):
                return e
        return None
    stats = wait_for(watching_stats, 10, lambda: host.diag())
    assert len(stats["viewers"]) == 2 and stats["capturing"] is True and stats["upload_kbps"] > 100, stats
    assert {v["viewer"] for v in stats["viewers"]} == set(ids)

    viewer_stats = wait_for(lambda: [e for e in events_of(one, VIEWER_SCHEMA)
                                     if e["event"] == "stats" and e["players"] == 1 and e["bitrate_kbps"] > 100],
                            10, lambda: one.diag())
    assert viewer_stats[-1]["bytes_received"] > 0 and viewer_stats[-1]["path"] == "direct"

    # Viewer one leaves: the host reports it by id, with reason "left".
    reader.close()
    one.send_signal(signal.SIGINT)
    assert one.wait_exit(10) == 0, one.diag()
    left = wait_for(lambda: [e for e in events_of(host, HOST_SCHEMA) if e["event"] == "viewer_left"], 10, host.diag)
    assert len(left) == 1 and left[0]["reason"] == "left" and left[0]["viewer"] in ids, left
    ended_one = events_of(one, VIEWER_SCHEMA)[-1]
    assert ended_one["event"] == "ended" and ended_one["reason"] == "interrupted" and ended_one["exit_code"] == 0
    assert [e["event"] for e in events_of(one, VIEWER_SCHEMA)][:2] == ["listening", "path_changed"]

    # The host stops: the other viewer hears "host_ended", both end cleanly.
    host.send_signal(signal.SIGINT)
    assert host.wait_exit(10) == 0, host.diag()
    assert two.wait_exit(10) == 0, two.diag()
    host_events = events_of(host, HOST_SCHEMA)
    names = [e["event"] for e in host_events]
    assert names[:2] == ["ticket", "listening"], names
    assert names[-1] == "ended" and host_events[-1]["reason"] == "interrupted" and host_events[-1]["exit_code"] == 0
    assert names.count("viewer_joined") == 2 and "stats" in names
    last_two = events_of(two, VIEWER_SCHEMA)[-1]
    assert last_two == {**last_two, "event": "ended", "reason": "host_ended", "exit_code": 0}, last_two


def test_viewer_errors_are_events_too(procs):
    host = start_json_host(procs, "--max-viewers", "1")
    first = start_json_viewer(procs, host.ticket, "first")
    # A seat belongs to a viewer who watches: the first one streams.
    reader = procs.http_reader(first.url)
    assert reader.wait_bytes(50_000, 15), reader.describe()
    second = procs.spawn(ViewerProcess, "second", procs.pixelpass_argv("view", host.ticket, "--player", "none",
                                                                       "--output", "json"))
    assert second.wait_exit(15) == 5, second.diag()
    events = events_of(second, VIEWER_SCHEMA)
    assert [e["event"] for e in events] == ["error", "ended"], events
    assert "full" in events[0]["message"] and events[0]["exit_code"] == 5 and events[1]["exit_code"] == 5


def test_host_start_failure_is_an_error_event(procs):
    argv = procs.pixelpass_argv("host", "--source", "x11", "--display", ":97", "--output", "json")
    proc = procs.spawn(HostProcess, "bad-host", argv)
    assert proc.wait_exit(15) == 2, proc.diag()
    events = parse_events(list(proc.stdout_lines), HOST_SCHEMA, "bad-host")
    assert [e["event"] for e in events] == ["error", "ended"] and ":97" in events[0]["message"], events


def test_closed_stdout_does_not_stop_the_share(procs, pixelpass_bin):
    """`pixelpass host --output json | head -1`: the reader goes away after the
    ticket; events then fail with EPIPE. Documented behaviour: the share goes
    on (viewers keep watching), events stop, one note on stderr."""
    host = subprocess.Popen([str(pixelpass_bin), "host", "--source", "test", "--bind", "127.0.0.1:0", *FAST,
                             "--output", "json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        ticket = json.loads(host.stdout.readline())["ticket"]
        host.stdout.close()  # like `head -1` exiting
        viewer = procs.start_viewer(ticket)
        reader = procs.http_reader(viewer.url)
        assert reader.wait_bytes(200_000, 15), reader.describe()
        time.sleep(1.5)  # stats events are written (and fail) every second
        assert host.poll() is None, f"host died after its stdout closed (exit {host.returncode})"
        host.send_signal(signal.SIGINT)
        assert host.wait(10) == 0
        assert b"stdout was closed" in host.stderr.read()
    finally:
        if host.poll() is None:
            host.kill()
