"""Audio on PipeWire: the default sink's monitor captured natively, one
application's audio with `host --app`, `pixelpass apps` and `pixelpass repair`.

Each test starts its own private PipeWire + WirePlumber + pipewire-pulse (in a
fresh XDG_RUNTIME_DIR) with a "speakers" null sink as the default output, as
a desktop's sound card would be, and synthetic applications: ToneA plays
440 Hz, ToneB 1250 Hz. The stream a viewer receives is decoded with ffmpeg and
the tones are measured with a Goertzel filter.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import HostProcess, VirtualScreen, require_tool

TONES = {"ToneA": 440, "ToneB": 1250}


class SoundServer:
    def __init__(self):
        for tool in ("pipewire", "wireplumber", "pipewire-pulse", "pactl", "pw-dump", "pw-link", "dbus-run-session"):
            require_tool(tool)
        self.runtime = tempfile.mkdtemp(prefix="pixelpass-xdg-")
        os.chmod(self.runtime, 0o700)
        self.environ = dict(os.environ, XDG_RUNTIME_DIR=self.runtime)
        self.environ.pop("PULSE_SERVER", None)
        self.apps: dict[str, subprocess.Popen] = {}
        self.daemons = subprocess.Popen(
            ["dbus-run-session", "--", "sh", "-c", "pipewire & sleep 0.3; wireplumber & pipewire-pulse & wait"],
            env=self.environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.pactl("get-default-sink").stdout.strip():
                break
            time.sleep(0.2)
        else:
            self.close()
            pytest.fail("PipeWire with pipewire-pulse did not come up within 15 s")
        # The "sound card": a sink the session manager prefers as the default.
        self.pactl("load-module", "module-null-sink", "sink_name=speakers",
                   'sink_properties="node.description=Speakers priority.session=2000"')
        self.pactl("set-default-sink", "speakers")
        self.wait_for(lambda: self.pactl("get-default-sink").stdout.strip() == "speakers", "speakers as default sink")

    def pactl(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["pactl", *args], env=self.environ, capture_output=True, text=True, timeout=10)

    def sinks(self) -> list[str]:
        return [line.split("\t")[1] for line in self.pactl("list", "short", "sinks").stdout.splitlines() if "\t" in line]

    def links(self) -> str:
        return subprocess.run(["pw-link", "-l"], env=self.environ, capture_output=True, text=True, timeout=10).stdout

    def play(self, name: str) -> None:
        """An application called `name` playing its tone through pulse."""
        self.apps[name] = subprocess.Popen(
            ["gst-launch-1.0", "-q", "audiotestsrc", "is-live=true", f"freq={TONES[name]}", "volume=0.5", "!",
             "pulsesink", f"client-name={name}"],
            env=self.environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        self.wait_for(lambda: f"{name}:output_FL" in self.links(), f"{name} playing")

    def wait_for(self, condition, what: str, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.1)
        pytest.fail(f"sound server: no {what} within {timeout} s\n{self.links()}")

    def close(self) -> None:
        for proc in [*self.apps.values(), self.daemons]:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        shutil.rmtree(self.runtime, ignore_errors=True)


@pytest.fixture
def sound():
    server = SoundServer()
    yield server
    server.close()


@pytest.fixture
def display():
    screen = VirtualScreen(640, 480)
    yield screen
    screen.close()


def _env(sound: SoundServer, display: VirtualScreen) -> dict:
    env = dict(sound.environ, DISPLAY=display.display)
    env.pop("WAYLAND_DISPLAY", None)
    return env


def _host(procs, sound, display, *extra) -> HostProcess:
    args = ["host", "--source", "x11", "--bind", "127.0.0.1:0", "--bitrate", "1000", *extra]
    host = procs.spawn(HostProcess, "host", procs.pixelpass_argv(*args), env=_env(sound, display))
    host.ticket = host.wait_first_stdout_line(20, context=procs.diag)
    assert host.ticket.startswith("pixelpass1-"), host.diag()
    return host


# The same Goertzel measurement as the Wayland tests (a plain module, no fixtures).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "wayland"))
from pixelpass_run import tone_levels as _levels  # noqa: E402


def test_app_captures_only_that_application_and_it_is_still_heard(procs, sound, display):
    require_tool("ffmpeg")
    sound.play("ToneA")
    sound.play("ToneB")
    host = _host(procs, sound, display, "--app", "tonea")
    host.wait_stderr("audio: application 'tonea' only", 10)
    viewer = procs.start_viewer(host.ticket)
    levels = _levels(viewer.url)
    assert levels["ToneA"] > 50, f"ToneA's 440 Hz missing: {levels}\n{procs.diag()}"
    assert levels["ToneB"] < levels["ToneA"] - 50, f"ToneB's 1250 Hz leaked into --app ToneA: {levels}"
    links = sound.links()
    # ToneA still plays into the speakers (the user hears it), and into pixelpass's sink.
    assert f"ToneA:output_FL\n  |-> speakers:playback_FL" in links, links
    assert f"pixelpass-app-{host.pid}:playback_FL" in links, links
    assert sound.pactl("get-default-sink").stdout.strip() == "speakers", "pixelpass took over the default output"


def test_default_sink_monitor_is_captured_natively_with_every_application(procs, sound, display):
    require_tool("ffmpeg")
    sound.play("ToneA")
    sound.play("ToneB")
    host = _host(procs, sound, display)
    host.wait_stderr("audio: speakers (PipeWire monitor)", 10)
    viewer = procs.start_viewer(host.ticket)
    levels = _levels(viewer.url)
    assert levels["ToneA"] > 50 and levels["ToneB"] > 50, f"system audio lacks a tone: {levels}\n{procs.diag()}"


def test_an_application_that_starts_later_is_captured_and_silence_comes_before(procs, sound, display):
    require_tool("ffmpeg")
    sound.play("ToneB")
    host = _host(procs, sound, display, "--app", "ToneA")
    viewer = procs.start_viewer(host.ticket)
    before = _levels(viewer.url, seconds=2)
    assert before["rms"] < 50, f"--app ToneA is not silent before ToneA plays: {before}"
    sound.play("ToneA")
    host.wait_stderr("audio: ToneA is playing", 5)
    after = _levels(viewer.url)
    assert after["ToneA"] > 50 and after["ToneB"] < after["ToneA"] - 50, f"after ToneA started: {after}\n{procs.diag()}"


def test_the_sink_goes_with_the_host_and_repair_removes_a_killed_hosts_sink(procs, sound, display):
    host = _host(procs, sound, display, "--app", "ToneA")
    sink = f"pixelpass-app-{host.pid}"
    assert sink in sound.sinks()
    assert host.stop(signal.SIGTERM) == 0, host.diag()
    assert sink not in sound.sinks(), "SIGTERM left the capture sink behind"

    crashed = _host(procs, sound, display, "--app", "ToneA")
    sink = f"pixelpass-app-{crashed.pid}"
    crashed.stop(signal.SIGKILL)
    assert sink in sound.sinks()
    alive = _host(procs, sound, display, "--app", "ToneB")
    env = _env(sound, display)
    r = subprocess.run(procs.pixelpass_argv("repair"), env=env, capture_output=True, text=True, timeout=20)
    assert r.returncode == 0 and f"{sink} (host pid {crashed.pid}): removed" in r.stdout, r
    sinks = sound.sinks()
    assert sink not in sinks and f"pixelpass-app-{alive.pid}" in sinks, f"repair removed the wrong sinks: {sinks}"
    r = subprocess.run(procs.pixelpass_argv("repair"), env=env, capture_output=True, text=True, timeout=20)
    assert (r.returncode, r.stdout.strip()) == (0, "nothing to repair"), r


def test_apps_lists_what_plays(procs, sound):
    env = sound.environ
    r = subprocess.run(procs.pixelpass_argv("apps"), env=env, capture_output=True, text=True, timeout=20)
    assert r.returncode == 0 and "No application is playing audio" in r.stdout, r
    sound.play("ToneA")
    r = subprocess.run(procs.pixelpass_argv("apps"), env=env, capture_output=True, text=True, timeout=20)
    assert r.returncode == 0 and "ToneA" in r.stdout and "pixelpass host --app ToneA" in r.stdout, r
    r = subprocess.run(procs.pixelpass_argv("apps", "--json"), env=env, capture_output=True, text=True, timeout=20)
    import json
    apps = json.loads(r.stdout)
    assert [a["name"] for a in apps] == ["ToneA"] and apps[0]["pid"] == sound.apps["ToneA"].pid, apps


def test_app_usage_errors_and_no_sound_server(procs, display, tmp_path):
    def run(*args, env=None):
        return subprocess.run(procs.pixelpass_argv(*args), env=env, capture_output=True, text=True, timeout=20)

    r = run("host", "--source", "x11", "--display", display.display, "--app", "ToneA", "--no-audio")
    assert r.returncode == 2 and "cannot go with --no-audio" in r.stderr, r
    r = run("host", "--source", "test", "--app", "ToneA")
    assert r.returncode == 2 and "test tone" in r.stderr, r
    runtime = tmp_path / "xdg"
    runtime.mkdir(mode=0o700)
    nowhere = dict(display.env(), XDG_RUNTIME_DIR=str(runtime))
    nowhere.pop("PULSE_SERVER", None)
    r = run("host", "--source", "x11", "--bind", "127.0.0.1:0", "--app", "ToneA", env=nowhere)
    assert r.returncode == 2 and "needs a PipeWire sound server" in r.stderr and not r.stdout, r
    r = run("apps", env=nowhere)
    assert r.returncode == 2 and "no PipeWire sound server" in r.stderr, r
    r = run("repair", env=nowhere)
    assert r.returncode == 0 and "nothing to repair" in r.stdout, r


def test_the_config_files_app_applies_to_screen_shares_only(procs, sound, display, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[host]\napp = "tonea"\n')
    env = dict(_env(sound, display), PIXELPASS_CONFIG=str(config))
    host = procs.spawn(HostProcess, "host", procs.pixelpass_argv("host", "--source", "x11", "--bind", "127.0.0.1:0",
                                                                 "--bitrate", "1000"), env=env)
    host.ticket = host.wait_first_stdout_line(20, context=procs.diag)
    host.wait_stderr("audio: application 'tonea' only", 10)
    # The test source keeps its own tone: the file's app does not apply (no usage error).
    test_host = procs.spawn(HostProcess, "test-host", procs.pixelpass_argv("host", "--source", "test", "--bind",
                                                                           "127.0.0.1:0"), env=env)
    test_host.ticket = test_host.wait_first_stdout_line(20, context=procs.diag)
    test_host.wait_stderr("audio: test tone", 10)
