"""Messages a new user meets first: each says what is wrong and what to do,
in words (no internals), with the README's exit code."""

from __future__ import annotations

import re
import socket
import subprocess
import time

import pytest

from conftest import pixelpass_binary


def run(*args: str, timeout: float = 20.0) -> subprocess.CompletedProcess:
    return subprocess.run([str(pixelpass_binary()), *args], capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("typo, command", [("hots", "host"), ("hsot", "host"), ("vew", "view"),
                                           ("doctr", "doctor"), ("tiket", "ticket"), ("confg", "config")])
def test_a_mistyped_command_gets_did_you_mean(typo, command):
    r = run(typo)
    assert r.returncode == 2, r.stderr
    assert f'Did you mean "pixelpass {command}"?' in r.stderr, r.stderr
    assert "not a pixelpass ticket" not in r.stderr, r.stderr


def test_a_word_far_from_any_command_is_just_not_a_ticket():
    r = run("banana")
    assert r.returncode == 2 and "not a pixelpass ticket" in r.stderr and "Did you mean" not in r.stderr, r.stderr


@pytest.mark.parametrize("flag, value, message", [
    ("--bitrate", "-5", "--bitrate must be an integer between 100 and 100000, in kbit/s (got -5)"),
    ("--fps", "-1", "--fps must be an integer between 1 and 120 (got -1)"),
    ("--max-viewers", "-3", "--max-viewers must be an integer between 1 and 64 (got -3)"),
])
def test_a_negative_number_is_named_not_missing(flag, value, message):
    r = run("host", "--source", "test", flag, value)
    assert r.returncode == 2, r.stderr
    assert message in r.stderr and "Missing value" not in r.stderr, r.stderr


def test_a_busy_bind_address_says_so_in_words_and_exits_2():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as busy:
        busy.bind(("127.0.0.1", 0))
        port = busy.getsockname()[1]
        r = run("host", "--source", "test", "--no-audio", "--bind", f"127.0.0.1:{port}")
    assert r.returncode == 2, r.stderr
    assert f"cannot listen on 127.0.0.1:{port}: that port is already in use" in r.stderr, r.stderr
    # No Swift/NIO internals.
    assert not re.search(r"errno|descriptor|\[IPv4\]|bind\(", r.stderr), r.stderr
    assert r.stdout == "", "no ticket for a share that cannot start"


def test_a_busy_view_port_fails_before_contacting_the_host(procs):
    """The check comes first: the host never sees the viewer, and the exit is immediate."""
    host = procs.start_host(audio=False)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        started = time.monotonic()
        r = run("view", host.ticket, "--player", "none", "--port", str(port))
        elapsed = time.monotonic() - started
    assert r.returncode == 2, r.stderr
    assert f"--port: 127.0.0.1:{port} is already in use" in r.stderr, r.stderr
    assert elapsed < 3, f"took {elapsed:.1f} s"
    time.sleep(0.5)
    assert "connected from" not in host.stderr_text, host.diag()


def test_a_loopback_share_says_it_works_on_this_machine_only(procs):
    host = procs.start_host(audio=False)
    assert host.wait_stderr(r"the ticket above works on this machine alone", 10), host.diag()
    assert "send the ticket above to a friend" not in host.stderr_text, host.diag()


def test_log_lines_read_as_sentences(procs):
    """No "stopped watching (; 0 watching)" or "left: left"."""
    host = procs.start_host(audio=False)
    viewer = procs.start_viewer(host.ticket)
    reader = procs.http_reader(viewer.url)
    assert host.wait_stderr(r"is watching", 15), host.diag()
    reader.close()
    assert host.wait_stderr(re.compile(r"stopped watching \(\d"), 15), host.diag()
    viewer.stop()
    time.sleep(0.5)
    text = host.stderr_text
    assert "(;" not in text and "left: left" not in text, text


def test_encoder_library_noise_stays_off_the_terminal_unless_verbose(procs):
    """OpenH264 complains on stderr while its settings are probed; that is
    captured, never shown, and `-v` logs it."""
    if "openh264enc" not in subprocess.run(["gst-inspect-1.0", "openh264enc"], capture_output=True,
                                           text=True).stdout:
        pytest.skip("openh264enc is not installed")
    doctor = run("doctor", timeout=60)
    assert "[OpenH264]" not in doctor.stdout + doctor.stderr, doctor.stdout + doctor.stderr
    quiet = procs.start_host("--encoder", "openh264enc", audio=False)
    verbose = procs.start_host("--encoder", "openh264enc", "-v", audio=False)
    assert quiet.wait_stderr("press Ctrl-C", 10) and verbose.wait_stderr("press Ctrl-C", 10), procs.diag()
    assert "[OpenH264]" not in quiet.stderr_text, quiet.diag()
    # Each process probes once; the verbose one says what the library printed.
    assert verbose.wait_stderr("encoder probe printed: [OpenH264]", 5), verbose.diag()
