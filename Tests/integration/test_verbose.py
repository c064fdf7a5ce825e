"""`-v` adds the detail a bug report needs; without it stderr stays short."""

import re


def test_verbose_logs_what_was_tried_and_decided(start_host, start_viewer, procs):
    host = start_host("-v")
    viewer = start_viewer(host.ticket, "--verbose")
    reader = procs.http_reader(viewer.url)
    assert reader.wait_bytes(100_000, 15), reader.describe()
    host.wait_stderr(re.compile(r"debug: \[\+\d+\.\d{3}s\] pipeline: .*videotestsrc.*mpegtsmux"), 10)
    host.wait_stderr(re.compile(r"debug: \[\+\d+\.\d{3}s\] request GET /v1/stream from [0-9a-f]{8}"), 10)
    host.wait_stderr(re.compile(r"debug: \[\+\d+\.\d{3}s\] encoder vah264enc skipped: "), 1)
    viewer.wait_stderr(re.compile(r"debug: \[\+\d+\.\d{3}s\] racing 1 candidate address"), 1)
    viewer.wait_stderr(re.compile(r"debug: \[\+\d+\.\d{3}s\] handshake done with 127\.0\.0\.1:\d+"), 1)
    viewer.wait_stderr(re.compile(r"debug: \[\+\d+\.\d{3}s\] a player connected to the local URL \(1 connected\)"), 5)


def test_without_verbose_there_are_no_debug_lines(start_host, start_viewer, procs):
    host = start_host()
    viewer = start_viewer(host.ticket)
    reader = procs.http_reader(viewer.url)
    assert reader.wait_bytes(100_000, 15), reader.describe()
    host.wait_stderr(re.compile(r"is watching"), 10)
    assert "debug:" not in host.stderr_text and "debug:" not in viewer.stderr_text
