"""The interactive menu, driven like a person would: in a real terminal
(tmux), under an X server (Xvfb) with the X clipboard, a headless viewer or
mpv on the other side. Each screen is read from tmux's rendering."""

import os
import random
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import require_tool

TICKET = re.compile(r"pixelpass1-[a-z2-7]{40,}")
# Hosts started from the menu take their defaults from this config: loopback
# only (tests never reach beyond it) and a light stream.
CONFIG = """
[host]
bind = "127.0.0.1:0"
size = "640x360"
bitrate = 1000
"""


@pytest.fixture
def xdisplay():
    require_tool("Xvfb")
    for _ in range(20):
        number = random.randint(420, 700)
        if Path(f"/tmp/.X11-unix/X{number}").exists() or Path(f"/tmp/.X{number}-lock").exists():
            continue
        proc = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "800x600x24", "-nolisten", "tcp"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        for _ in range(50):
            if Path(f"/tmp/.X11-unix/X{number}").exists():
                break
            time.sleep(0.1)
        if proc.poll() is None:
            yield f":{number}"
            proc.terminate()
            proc.wait(timeout=5)
            return
    pytest.fail("could not start Xvfb")


class Screen:
    """pixelpass in a tmux pane: send keys, read what the terminal shows."""

    def __init__(self, binary, env, width=100, height=32):
        require_tool("tmux")
        self.name = f"pp{os.getpid()}x{random.randint(0, 1 << 30)}"
        self.socket = f"/tmp/tmux-{self.name}"
        self.done = Path(tempfile.mkdtemp()) / "exit"
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        # After pixelpass exits, record its exit code and whether the terminal
        # is back in canonical mode (raw mode restored), then keep the pane.
        command = (f"env -i {exports} {shlex.quote(str(binary))}; "
                   f"echo \"$? $(stty -a | grep -o -- '-\\?icanon ' | head -1)\" > {self.done}; sleep 600")
        self.tmux("new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height), command)

    def tmux(self, *args):
        return subprocess.run(["tmux", "-S", self.socket, *args], capture_output=True, text=True, timeout=10)

    def keys(self, *keys):
        self.tmux("send-keys", "-t", self.name, *keys)

    def type(self, text):
        self.tmux("send-keys", "-t", self.name, "-l", text)

    def paste(self, text):
        """Pastes like a terminal does (bracketed paste, as the menu asks)."""
        self.tmux("set-buffer", "-b", "t", text)
        self.tmux("paste-buffer", "-p", "-b", "t", "-t", self.name)

    def resize(self, width, height=32):
        self.tmux("resize-window", "-t", self.name, "-x", str(width), "-y", str(height))

    def text(self, joined=False):
        args = ["capture-pane", "-p", "-t", self.name] + (["-J"] if joined else [])
        return self.tmux(*args).stdout

    def wait(self, pattern, timeout=15, joined=False):
        deadline = time.monotonic() + timeout
        while True:
            shown = self.text(joined)
            match = re.search(pattern, shown)
            if match:
                return match
            if time.monotonic() > deadline:
                raise AssertionError(f"screen never showed {pattern!r} within {timeout} s; it shows:\n{shown}")
            time.sleep(0.15)

    def exit_status(self, timeout=15):
        """(exit code, terminal restored?) once pixelpass has exited."""
        deadline = time.monotonic() + timeout
        while not self.done.exists() or not self.done.read_text().strip():
            if time.monotonic() > deadline:
                raise AssertionError(f"pixelpass did not exit within {timeout} s; screen:\n{self.text()}")
            time.sleep(0.1)
        code, *mode = self.done.read_text().split()
        return int(code), mode == ["icanon"]

    def close(self):
        self.tmux("kill-server")
        shutil.rmtree(self.done.parent, ignore_errors=True)


@pytest.fixture
def menu(pixelpass_bin, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    screens = []

    def start(display=None, path=None, width=100):
        env = {"HOME": str(tmp_path), "PATH": path or os.environ["PATH"], "TERM": "xterm-256color",
               "PIXELPASS_CONFIG": str(config), "LANG": "C.UTF-8"}
        if display:
            env["DISPLAY"] = display
        screen = Screen(pixelpass_bin, env, width=width)
        screens.append(screen)
        screen.wait(r"Host — share your screen")
        return screen

    yield start
    for screen in screens:
        screen.close()
    subprocess.run(["pkill", "-f", "--", "--title=pixelpass http://127.0.0.1"], capture_output=True)


def xclip_clipboard(display):
    r = subprocess.run(["xclip", "-o", "-selection", "clipboard"], capture_output=True, text=True, timeout=5,
                       env={**os.environ, "DISPLAY": display})
    return r.stdout.strip()


def test_host_from_the_menu_copy_kick_and_stop(menu, xdisplay, procs):
    require_tool("xclip")
    screen = menu(display=xdisplay)
    screen.keys("h")
    screen.wait(r"Session: X11")
    screen.wait(r"Whole screen \(800x600\)")
    screen.keys("Enter")
    ticket = screen.wait(TICKET, joined=True).group(0)
    screen.wait(r"copied to the clipboard \(xclip\)")
    assert xclip_clipboard(xdisplay) == ticket

    viewer = procs.start_viewer(ticket)
    row = screen.wait(r"\n +1 +([0-9a-f]{8}) +\d+:\d\d ")
    viewer_id = row.group(1)
    screen.wait(r"1 of 4 viewers")
    assert viewer.find_stderr(re.compile(r"connected to 127\.0\.0\.1:"))

    screen.keys("k")
    assert viewer.wait_exit(10) == 5, viewer.diag()
    assert viewer.find_stderr(r"the host removed you from the share")
    screen.wait(rf"kicked viewer {viewer_id}")
    screen.wait(rf"viewer {viewer_id} left: kicked by the host")
    screen.wait(r"0 of 4 viewers")

    # c copies again: clear the clipboard first to see it come back.
    subprocess.run(["xclip", "-selection", "clipboard"], input="something else", text=True,
                   env={**os.environ, "DISPLAY": xdisplay}, timeout=5)
    screen.keys("c")
    screen.wait(r"ticket copied again \(xclip\)")
    assert xclip_clipboard(xdisplay) == ticket

    screen.keys("q")
    screen.wait(r"Stopped sharing\.")
    screen.keys("q")
    assert screen.exit_status() == (0, True)


def test_ctrl_c_while_sharing_ends_the_share_for_viewers(menu, procs):
    screen = menu()  # no X display: only the test pattern is offered
    screen.keys("h")
    screen.wait(r"only the built-in test pattern can be shared")
    screen.keys("Enter")
    ticket = screen.wait(TICKET, joined=True).group(0)
    screen.wait(r"not copied to the clipboard: no graphical session")
    viewer = procs.start_viewer(ticket)
    screen.wait(r"1 of 4 viewers")
    screen.keys("C-c")
    assert screen.exit_status() == (0, True)
    assert viewer.wait_exit(10) == 0, viewer.diag()
    assert viewer.find_stderr(r"the host ended the share")


def test_status_survives_a_narrow_terminal(menu, procs):
    screen = menu()
    screen.keys("h")
    screen.keys("Enter")
    ticket = screen.wait(TICKET, joined=True).group(0)
    procs.start_viewer(ticket)
    screen.wait(r"VIEWER +SINCE +BITRATE")
    screen.resize(26)
    screen.wait(r"widen the terminal")
    screen.resize(50)
    screen.wait(r"\n1 [0-9a-f]{8} ")
    screen.resize(100)
    screen.wait(r"VIEWER +SINCE +BITRATE")
    screen.keys("q")
    screen.wait(r"Stopped sharing\.")
    screen.keys("C-c")
    assert screen.exit_status() == (0, True)


def test_no_clipboard_tool_says_why(menu, xdisplay, tmp_path):
    # A PATH with the X tools the source list needs, but no xclip/xsel/wl-copy.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ["xwininfo", "xrandr", "pactl"]:
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    screen = menu(display=xdisplay, path=str(bin_dir))
    screen.keys("h")
    screen.keys("Enter")
    screen.wait(TICKET, joined=True)
    screen.wait(r"not copied to the clipboard: .*(xclip|xsel)")
    screen.keys("q")
    screen.wait(r"Stopped sharing\.")
    screen.keys("q")
    assert screen.exit_status() == (0, True)


def test_view_from_the_menu_bad_ticket_then_mpv_then_reopen(menu, xdisplay, start_host):
    require_tool("mpv")
    host = start_host()
    screen = menu(display=xdisplay)
    screen.keys("v")
    screen.wait(r"Paste the ticket")
    screen.paste("hello, this is not a ticket")
    screen.wait(r"not a pixelpass ticket")
    screen.wait(r"Paste it again")
    screen.paste(host.ticket[:60])
    screen.wait(r"truncated")
    typo = host.ticket[:-3] + ("a" if host.ticket[-3] != "a" else "b") + host.ticket[-2:]
    screen.paste(typo)
    screen.wait(r"checksum|typo|mistyped", timeout=5)
    # Typed (not pasted: a few characters per read) and confirmed with Enter works too.
    for start in range(0, len(host.ticket), 8):
        screen.type(host.ticket[start:start + 8])
        time.sleep(0.02)
    screen.wait(re.escape(host.ticket[-20:]) + "▏")
    screen.keys("Enter")
    screen.wait(r"Open the stream in:")
    screen.keys("Enter")  # mpv, preselected
    screen.wait(r"Connected to 127\.0\.0\.1:\d+ via a direct path")
    screen.wait(r"Player: mpv is open")
    pids = _wait_pids("mpv")
    screen.wait(r"1 player reading", timeout=20)
    for pid in pids:
        os.kill(pid, signal.SIGTERM)
    screen.wait(r"r reopen the player · q quit")
    screen.keys("r")
    screen.wait(r"Player: mpv is open")
    assert _wait_pids("mpv")
    screen.keys("q")
    screen.wait(r"Stopped watching\.")
    screen.keys("q")
    assert screen.exit_status() == (0, True)
    assert host.running()


def test_choosing_a_player_that_is_not_installed(menu, tmp_path, start_host):
    host = start_host()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    screen = menu(path=str(bin_dir))  # neither mpv nor VLC on PATH
    screen.keys("v")
    screen.paste(host.ticket)
    screen.wait(r"mpv +\(not installed\)")
    screen.wait(r"VLC +\(not installed\)")
    screen.keys("m")
    screen.wait(r"mpv is not installed .*Pick another player")
    screen.keys("n")
    screen.wait(r"Stream URL: http://127\.0\.0\.1:\d+/")
    screen.wait(r"Player: none")
    screen.keys("q")
    screen.wait(r"Stopped watching\.")
    screen.keys("C-c")
    assert screen.exit_status() == (0, True)


@pytest.mark.parametrize("path", [[], ["h"], ["v"], ["v", "paste"], ["d"]])
def test_ctrl_c_at_every_prompt_exits_cleanly(menu, path, start_host):
    ticket = start_host().ticket if "paste" in path else None
    screen = menu()
    for step in path:
        if step == "paste":
            screen.paste(ticket)
            screen.wait(r"Open the stream in:")
        else:
            screen.keys(step)
            time.sleep(0.3)
    if path == ["d"]:
        screen.wait(r"press any key")
    screen.keys("C-c")
    assert screen.exit_status() == (0, True)


def test_escape_goes_back_to_the_menu(menu):
    screen = menu()
    screen.keys("v")
    screen.wait(r"Paste the ticket")
    screen.keys("Escape")
    screen.wait(r"Host — share your screen")
    screen.keys("h")
    screen.wait(r"What do you want to share\?")
    screen.keys("Escape")
    screen.wait(r"Host — share your screen")
    screen.keys("Down", "Down", "Down", "Enter")  # Quit
    assert screen.exit_status() == (0, True)


def test_without_a_terminal_it_prints_usage_and_exits_2(pixelpass_bin):
    r = subprocess.run([str(pixelpass_bin)], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=10)
    assert r.returncode == 2
    assert "USAGE:" in r.stderr and "no terminal for the menu" in r.stderr
    assert r.stdout == ""


def _wait_pids(player, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = subprocess.run(["pgrep", "-f", f"{player} .*--title=pixelpass http://127.0.0.1"], capture_output=True, text=True)
        pids = [int(p) for p in r.stdout.split()]
        if pids:
            return pids
        time.sleep(0.2)
    raise AssertionError(f"no {player} process appeared")
