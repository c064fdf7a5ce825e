"""Sharing a real (virtual) X screen with several viewers, with system audio
from a real sound server: the whole screen, one window, late joiners, a full
host, an X server that disappears, and bad capture options."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import HostProcess, ffmpeg_frames, require_tool

WIDTH, HEIGHT = 1280, 720


class Desktop:
    """Xvfb with moving content (a ticking clock, a scrolling test pattern)."""

    def __init__(self):
        require_tool("Xvfb")
        self.procs: list[subprocess.Popen] = []
        for _ in range(20):
            number = random.randint(420, 900)
            if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
                break
        self.display = f":{number}"
        self.server = self._spawn(["Xvfb", self.display, "-screen", "0", f"{WIDTH}x{HEIGHT}x24", "-nolisten", "tcp"])
        env = self.env()
        # The socket file appears before the server answers; ask it.
        for _ in range(100):
            if subprocess.run(["xwininfo", "-root"], env=env, capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        self.clients = {
            "xclock": ["xclock", "-update", "1", "-geometry", "240x240+40+40"],
            # A second window whose content changes every frame.
            "gst-launch": ["gst-launch-1.0", "-q", "videotestsrc", "pattern=ball", "is-live=true", "!",
                           "video/x-raw,width=480,height=320,framerate=30/1", "!", "ximagesink"],
        }
        self.running = {name: self._spawn(argv, env=env) for name, argv in self.clients.items()}
        self._wait_for_windows(env)

    def _spawn(self, argv, env=None) -> subprocess.Popen:
        log = tempfile.TemporaryFile()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=log, env=env, start_new_session=True)
        proc.log = log
        self.procs.append(proc)
        return proc

    def logs(self) -> str:
        parts = []
        for proc in self.procs:
            proc.log.seek(0)
            parts.append(f"{proc.args[0]} (exit {proc.poll()}): {proc.log.read().decode(errors='replace')[-500:]}")
        return "\n".join(parts)

    def _wait_for_windows(self, env) -> None:
        deadline = time.monotonic() + 20
        out = ""
        restarts = 0
        while time.monotonic() < deadline:
            out = subprocess.run(["xwininfo", "-root", "-children"], env=env, capture_output=True, text=True).stdout
            if '"xclock"' in out and "gst-launch" in out:
                return
            # A client that lost the race with a busy X server ("Can't open
            # display") gets another go.
            for name, proc in list(self.running.items()):
                if proc.poll() is not None and restarts < 3:
                    restarts += 1
                    self.running[name] = self._spawn(self.clients[name], env=env)
            time.sleep(0.2)
        logs = self.logs()
        self.close()
        pytest.fail(f"the test windows did not appear on {self.display}: {out}\n{logs}")

    def env(self) -> dict:
        env = dict(os.environ, DISPLAY=self.display)
        env.pop("WAYLAND_DISPLAY", None)
        return env

    def kill_server(self) -> None:
        self.server.kill()
        self.server.wait(timeout=5)

    def close(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


@pytest.fixture
def desktop():
    d = Desktop()
    yield d
    d.close()


class SoundServer:
    """A private PipeWire + WirePlumber + pipewire-pulse, playing a tone into
    the default sink, as a desktop with something playing would."""

    def __init__(self):
        for tool in ("pipewire", "wireplumber", "pipewire-pulse", "pactl", "dbus-run-session"):
            require_tool(tool)
        self.runtime = tempfile.mkdtemp(prefix="pixelpass-xdg-")
        os.chmod(self.runtime, 0o700)
        self.environ = dict(os.environ, XDG_RUNTIME_DIR=self.runtime)
        self.environ.pop("PULSE_SERVER", None)
        self.daemons = subprocess.Popen(
            ["dbus-run-session", "--", "sh", "-c", "pipewire & sleep 0.3; wireplumber & pipewire-pulse & wait"],
            env=self.environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            r = subprocess.run(["pactl", "get-default-sink"], env=self.environ, capture_output=True, text=True)
            if r.returncode == 0 and r.stdout.strip():
                break
            time.sleep(0.2)
        else:
            self.close()
            pytest.fail("PipeWire with pipewire-pulse did not come up within 15 s")
        self.tone = subprocess.Popen(["gst-launch-1.0", "-q", "audiotestsrc", "is-live=true", "freq=880", "volume=0.5",
                                      "!", "pulsesink"], env=self.environ, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)

    def close(self) -> None:
        for proc in (getattr(self, "tone", None), self.daemons):
            if proc and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        shutil.rmtree(self.runtime, ignore_errors=True)


def _start_x11_host(procs, desktop, *extra, env=None) -> HostProcess:
    args = ["host", "--source", "x11", "--bind", "127.0.0.1:0", "--bitrate", "2000", *extra]
    host = procs.spawn(HostProcess, "host", procs.pixelpass_argv(*args), env=env or desktop.env())
    host.ticket = host.wait_first_stdout_line(20, context=procs.diag)
    assert host.ticket.startswith("pixelpass1-"), host.diag()
    return host


def _first_video_frame(url: str) -> str:
    r = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                        "frame=key_frame,pict_type", "-read_intervals", "%+#1", "-of", "csv=p=0", url],
                       capture_output=True, text=True, timeout=30)
    return r.stdout.strip().splitlines()[0] if r.stdout.strip() else f"(none: {r.stderr.strip()})"


def test_whole_screen_three_viewers_and_a_clean_late_joiner(procs, desktop):
    host = _start_x11_host(procs, desktop, "--no-audio")
    assert host.wait_stderr(f"capture: x11 {desktop.display} screen {WIDTH}x{HEIGHT}", 5), host.diag()
    viewers = [procs.start_viewer(host.ticket) for _ in range(3)]
    runs = [procs.ffmpeg(v.url, frames=150, timeout=40) for v in viewers]
    time.sleep(2.5)  # mid-stream, between scheduled keyframes
    late = procs.start_viewer(host.ticket)
    first = _first_video_frame(late.url)
    late_run = procs.ffmpeg(late.url, frames=60, timeout=30).result()
    for run in [r.result() for r in runs] + [late_run]:
        assert run.returncode == 0 and not run.stderr.strip(), f"{run.describe()}\n{procs.diag()}"
        assert ffmpeg_frames(run) >= 60, run.describe()
    assert first.startswith("1,I"), f"the late joiner's first frame is not a keyframe: {first}"


def test_one_window_by_title(procs, desktop):
    host = _start_x11_host(procs, desktop, "--window", "xclock", "--no-audio")
    assert host.wait_stderr("window 0x", 5), host.diag()
    viewer = procs.start_viewer(host.ticket)
    run = procs.ffmpeg(viewer.url, frames=60, timeout=30).result()
    assert run.returncode == 0 and not run.stderr.strip(), run.describe()
    probe = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height",
                            "-of", "csv=p=0", viewer.url], capture_output=True, text=True, timeout=30)
    assert probe.stdout.strip().startswith("240,240"), f"window capture size: {probe.stdout!r} {probe.stderr!r}"


def test_full_host_refuses_the_fourth_viewer(procs, desktop):
    host = _start_x11_host(procs, desktop, "--max-viewers", "3", "--no-audio")
    for _ in range(3):
        # Seats belong to viewers who watch: each of the three streams.
        reader = procs.http_reader(procs.start_viewer(host.ticket).url)
        assert reader.wait_bytes(20_000, 15), reader.describe()
    fourth = procs.start_viewer(host.ticket, expect_url=False)
    assert fourth.wait_exit(15) == 5, fourth.diag()
    assert "the host is full (3 of 3 viewers)" in fourth.stderr_text, fourth.diag()


def test_system_audio_is_present_and_not_silent(procs, desktop):
    sound = SoundServer()
    try:
        env = dict(desktop.env(), XDG_RUNTIME_DIR=sound.runtime)
        host = _start_x11_host(procs, desktop, env=env)
        assert not host.find_stderr("no system audio"), host.diag()
        viewer = procs.start_viewer(host.ticket)
        r = subprocess.run(["ffmpeg", "-nostdin", "-v", "info", "-i", viewer.url, "-t", "4", "-map", "0:a:0",
                            "-af", "volumedetect", "-f", "null", "-"], capture_output=True, text=True, timeout=40)
        assert r.returncode == 0, r.stderr[-2000:]
        means = [float(line.split("mean_volume:")[1].split()[0]) for line in r.stderr.splitlines() if "mean_volume:" in line]
        assert means, f"no audio stream measured\n{r.stderr[-2000:]}"
        assert means[0] > -40, f"system audio is silent (mean {means[0]} dB)"
    finally:
        sound.close()


def test_no_sound_server_means_video_only_with_one_warning(procs, desktop):
    env = dict(desktop.env(), XDG_RUNTIME_DIR=tempfile.mkdtemp(prefix="pixelpass-nosound-"))
    env.pop("PULSE_SERVER", None)
    host = _start_x11_host(procs, desktop, env=env)
    assert host.wait_stderr("warning: no system audio", 5), host.diag()
    assert len([l for l in host.stderr_lines if "warning" in l]) == 1, host.diag()
    viewer = procs.start_viewer(host.ticket)
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0", viewer.url],
                           capture_output=True, text=True, timeout=30)
    assert set(probe.stdout.split()) == {"video"}, probe.stdout


def test_x_server_disappearing_ends_the_share(procs, desktop):
    host = _start_x11_host(procs, desktop, "--no-audio")
    viewer = procs.start_viewer(host.ticket)
    reader = procs.http_reader(viewer.url)
    assert reader.wait_bytes(100_000, 15), f"no stream\n{procs.diag()}"
    desktop.kill_server()
    assert host.wait_exit(15) is not None, f"the host kept running without its X server\n{host.diag()}"
    assert host.find_stderr("capture source went away"), host.diag()
    assert viewer.wait_exit(15) == 0, viewer.diag()
    assert "the host ended the share" in viewer.stderr_text, viewer.diag()
    assert reader.wait_end(10), "the player's response did not end"


@pytest.mark.parametrize("args, words", [
    (["--monitor", "HDMI-9"], ["no monitor 'HDMI-9'", "screen (1280x720+0+0)"]),
    (["--window", "no-such-window-title"], ["contains 'no-such-window-title'", "xclock"]),
    (["--window", "0x7fffffff"], ["0x7fffffff"]),
    (["--encoder", "nvh264enc"], ["nvh264enc", "x264enc"]),
])
def test_bad_capture_options_exit_2_listing_what_exists(procs, desktop, args, words):
    r = subprocess.run([str(procs.binary), "host", "--source", "x11", "--bind", "127.0.0.1:0", *args],
                       env=desktop.env(), capture_output=True, text=True, timeout=30)
    assert r.returncode == 2, f"exit {r.returncode}: {r.stderr}"
    for word in words:
        assert word in r.stderr, f"{word!r} missing from: {r.stderr}"
    assert r.stdout == "", "no ticket may be printed for a share that cannot start"
