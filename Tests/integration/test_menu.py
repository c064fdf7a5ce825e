"""The interactive menu, driven like a person would: in a real terminal
(tmux), under an X server (Xvfb) with the X clipboard, a headless viewer or
mpv on the other side. Each term is read from tmux's rendering."""

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

[nat]
stun = []
port_mapping = false
"""


class MenuTerminal:
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

    def text(self, joined=False, escapes=False):
        args = ["capture-pane", "-p", "-t", self.name] + (["-J"] if joined else []) + (["-e"] if escapes else [])
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
        # tmux leaves its socket behind when the server is killed.
        Path(self.socket).unlink(missing_ok=True)
        shutil.rmtree(self.done.parent, ignore_errors=True)


@pytest.fixture
def menu(pixelpass_bin, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    terminals = []

    def start(display=None, path=None, width=100, **extra_env):
        # A runtime directory of its own: without one, the players' audio
        # library leaves a pulse-* directory in /tmp per run.
        runtime = tmp_path / "run"
        runtime.mkdir(mode=0o700, exist_ok=True)
        env = {"HOME": str(tmp_path), "PATH": path or os.environ["PATH"], "TERM": "xterm-256color",
               "XDG_RUNTIME_DIR": str(runtime),
               "PIXELPASS_CONFIG": str(config), "LANG": "C.UTF-8", **extra_env}
        if display:
            env["DISPLAY"] = display
        term = MenuTerminal(pixelpass_bin, env, width=width)
        terminals.append(term)
        term.wait(r"Host — share your screen")
        return term

    yield start
    for term in terminals:
        term.close()
    subprocess.run(["pkill", "-f", "--", "--title=pixelpass http://127.0.0.1"], capture_output=True)


def xclip_clipboard(display):
    r = subprocess.run(["xclip", "-o", "-selection", "clipboard"], capture_output=True, text=True, timeout=5,
                       env={**os.environ, "DISPLAY": display})
    return r.stdout.strip()


def test_host_from_the_menu_copy_kick_and_stop(menu, screen, procs):
    require_tool("xclip")
    term = menu(display=screen.display)
    term.keys("h")
    term.wait(r"Session: X11")
    term.wait(r"Whole screen \(1024x768\)")
    term.keys("Enter")
    ticket = term.wait(TICKET, joined=True).group(0)
    term.wait(r"copied to the clipboard \(xclip\)")
    assert xclip_clipboard(screen.display) == ticket

    viewer = procs.start_viewer(ticket, "--name", "alice")
    row = term.wait(r"\n +1 +alice ([0-9a-f]{8}) +\d+:\d\d ")
    viewer_id = row.group(1)
    term.wait(r"1 of 4 viewers")
    assert viewer.find_stderr(re.compile(r"connected to 127\.0\.0\.1:"))

    term.keys("k")
    assert viewer.wait_exit(10) == 5, viewer.diag()
    assert viewer.find_stderr(r"the host removed you from the share")
    term.wait(rf"kicked viewer {viewer_id}")
    term.wait(rf"viewer {viewer_id} left \(kicked by the host\)")
    term.wait(r"0 of 4 viewers")
    # Kicked stays out: the same viewer (same config folder) running the
    # ticket again is refused at once.
    again = procs.start_viewer(ticket, expect_url=False)
    assert again.wait_exit(10) == 5, again.diag()
    assert "the host removed you from this share" in again.stderr_text, again.diag()

    # c copies again: clear the clipboard first to see it come back.
    subprocess.run(["xclip", "-selection", "clipboard"], input="something else", text=True,
                   env={**os.environ, "DISPLAY": screen.display}, timeout=5)
    term.keys("c")
    term.wait(r"ticket copied again \(xclip\)")
    assert xclip_clipboard(screen.display) == ticket

    term.keys("q")
    term.wait(r"Stopped sharing\.")
    term.keys("q")
    assert term.exit_status() == (0, True)


def test_ctrl_c_while_sharing_ends_the_share_for_viewers(menu, procs):
    term = menu()  # no X display: only the test pattern is offered
    term.keys("h")
    term.wait(r"only the built-in test pattern can be shared")
    term.keys("Enter")
    ticket = term.wait(TICKET, joined=True).group(0)
    term.wait(r"not copied to the clipboard: no graphical session")
    viewer = procs.start_viewer(ticket)
    term.wait(r"1 of 4 viewers")
    term.keys("C-c")
    assert term.exit_status() == (0, True)
    assert viewer.wait_exit(10) == 0, viewer.diag()
    assert viewer.find_stderr(r"the host ended the share")


def test_status_survives_a_narrow_terminal(menu, procs):
    term = menu()
    term.keys("h")
    term.keys("Enter")
    ticket = term.wait(TICKET, joined=True).group(0)
    procs.start_viewer(ticket)
    term.wait(r"VIEWER +SINCE +BITRATE")
    term.resize(26)
    term.wait(r"widen the terminal")
    term.resize(50)
    term.wait(r"\n1 [0-9a-f]{8} ")
    term.resize(100)
    term.wait(r"VIEWER +SINCE +BITRATE")
    term.keys("q")
    term.wait(r"Stopped sharing\.")
    term.keys("C-c")
    assert term.exit_status() == (0, True)


def test_no_clipboard_tool_says_why(menu, screen, tmp_path):
    # A PATH with the X tools the source list needs, but no xclip/xsel/wl-copy.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ["xwininfo", "xrandr", "pactl"]:
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    term = menu(display=screen.display, path=str(bin_dir))
    term.keys("h")
    term.keys("Enter")
    term.wait(TICKET, joined=True)
    term.wait(r"not copied to the clipboard: .*(xclip|xsel)")
    term.keys("q")
    term.wait(r"Stopped sharing\.")
    term.keys("q")
    assert term.exit_status() == (0, True)


def test_view_from_the_menu_bad_ticket_then_mpv_then_reopen(menu, screen, start_host):
    require_tool("mpv")
    host = start_host()
    term = menu(display=screen.display)
    term.keys("v")
    term.wait(r"Paste the ticket")
    term.paste("hello, this is not a ticket")
    term.wait(r"not a pixelpass ticket")
    term.wait(r"Paste it again")
    term.paste(host.ticket[:60])
    term.wait(r"truncated")
    typo = host.ticket[:-3] + ("a" if host.ticket[-3] != "a" else "b") + host.ticket[-2:]
    term.paste(typo)
    term.wait(r"checksum|typo|mistyped", timeout=5)
    # Typed (not pasted: a few characters per read) and confirmed with Enter works too.
    for start in range(0, len(host.ticket), 8):
        term.type(host.ticket[start:start + 8])
        time.sleep(0.02)
    term.wait(re.escape(host.ticket[-20:]) + "▏")
    term.keys("Enter")
    term.wait(r"Open the stream in:")
    term.keys("Enter")  # mpv, preselected
    term.wait(r"Connected to 127\.0\.0\.1:\d+ via a direct path")
    term.wait(r"Player: mpv is open")
    pids = _wait_pids("mpv")
    term.wait(r"1 player reading", timeout=20)
    for pid in pids:
        os.kill(pid, signal.SIGTERM)
    term.wait(r"r reopen the player · q quit")
    term.keys("r")
    term.wait(r"Player: mpv is open")
    assert _wait_pids("mpv")
    term.keys("q")
    term.wait(r"Stopped watching\.")
    term.keys("q")
    assert term.exit_status() == (0, True)
    assert host.running()


def test_choosing_a_player_that_is_not_installed(menu, tmp_path, start_host):
    host = start_host()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    term = menu(path=str(bin_dir))  # neither mpv nor VLC on PATH
    term.keys("v")
    term.paste(host.ticket)
    term.wait(r"mpv +\(not installed\)")
    term.wait(r"VLC +\(not installed\)")
    term.keys("m")
    term.wait(r"mpv is not installed .*Pick another player")
    term.keys("n")
    term.wait(r"Stream URL: http://127\.0\.0\.1:\d+/")
    term.wait(r"Player: none")
    term.keys("q")
    term.wait(r"Stopped watching\.")
    term.keys("C-c")
    assert term.exit_status() == (0, True)


def test_vlc_as_root_is_marked_and_leads_nowhere_odd(menu, start_host):
    """As root VLC cannot run: the list says so, choosing it says what to do
    in the menu (not a command-line flag), and mpv is picked by default."""
    if os.geteuid() != 0:
        pytest.skip("needs root")
    if not shutil.which("vlc") and not shutil.which("cvlc"):
        pytest.skip("VLC is not installed")
    host = start_host()
    term = menu()
    term.keys("v")
    term.paste(host.ticket)
    term.wait(r"VLC +\(refuses to run as root\)")
    term.keys("v")
    term.wait(r"VLC refuses to run as root: pick mpv or no player")
    assert "--player" not in term.text()
    term.keys("n")
    term.wait(r"Player: none")
    term.keys("q")
    term.wait(r"Stopped watching\.")
    term.keys("C-c")
    assert term.exit_status() == (0, True)


@pytest.mark.parametrize("path", [[], ["h"], ["v"], ["v", "paste"], ["d"]])
def test_ctrl_c_at_every_prompt_exits_cleanly(menu, path, start_host):
    ticket = start_host().ticket if "paste" in path else None
    term = menu()
    for step in path:
        if step == "paste":
            term.paste(ticket)
            term.wait(r"Open the stream in:")
        else:
            term.keys(step)
            time.sleep(0.3)
    if path == ["d"]:
        term.wait(r"press any key")
    term.keys("C-c")
    assert term.exit_status() == (0, True)


def test_doctor_scrolls_its_report_in_an_80x24_terminal(menu):
    """The Doctor screen runs the checks in process and pages the table:
    the title stays on the first row, End reaches the verdict, q goes back."""
    term = menu(width=80)
    term.resize(80, 24)
    term.keys("d")
    first = term.wait(r"lines 1–(\d+) of (\d+)", timeout=60)
    total = int(first.group(2))
    assert int(first.group(1)) <= 24 - 5 < total, first.group(0)
    shown = term.text().splitlines()
    assert shown[0].startswith("pixelpass · doctor") and "CHECK" in shown[2], shown
    assert all(len(line) <= 80 for line in shown), shown
    term.keys("End")
    term.wait(rf"lines \d+–{total} of {total}")
    term.wait(r"Sharing can(not)? work here")
    assert term.text().splitlines()[0].startswith("pixelpass · doctor")
    term.keys("PageUp")
    term.wait(rf"lines \d+–{total - (24 - 5)} of {total}")
    term.keys("Home")
    term.wait(r"lines 1–")
    term.keys("q")
    term.wait(r"Host — share your screen")
    term.keys("q")
    assert term.exit_status() == (0, True)


def test_escape_goes_back_to_the_menu(menu):
    term = menu()
    term.keys("v")
    term.wait(r"Paste the ticket")
    term.keys("Escape")
    term.wait(r"Host — share your screen")
    term.keys("h")
    term.wait(r"What do you want to share\?")
    term.keys("Escape")
    term.wait(r"Host — share your screen")
    term.keys("Down", "Down", "Down", "Enter")  # Quit
    assert term.exit_status() == (0, True)


def test_colour_only_without_no_color(menu):
    coloured = menu()
    assert "\x1b[" in coloured.text(escapes=True), "the menu should highlight its selection"
    plain = menu(NO_COLOR="1")
    shown = plain.text(escapes=True)
    assert "\x1b[" not in shown and "› Host" in shown, shown


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


def test_wayland_host_from_the_menu_goes_through_the_desktops_dialog(menu, procs):
    """The menu on a Wayland session (the Wayland lab: real portal frontend,
    fake ScreenCast backend, PipeWire): a monitor, picked in the dialog."""
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "wayland"))
    from wayland_lab import WaylandLab, missing_requirements
    if missing_requirements():
        pytest.skip("Wayland lab needs " + ", ".join(missing_requirements()))
    with WaylandLab() as lab:
        session = {k: lab.env[k] for k in ("DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "WAYLAND_DISPLAY",
                                           "XDG_CURRENT_DESKTOP")}
        term = menu(**session)
        term.keys("h")
        term.wait(r"Session: Wayland")
        term.wait(r"A window, chosen in the desktop's sharing dialog")
        term.keys("Enter")  # the first entry: a monitor
        ticket = term.wait(TICKET, joined=True).group(0)
        select = [c for c in lab.backend_calls() if c.get("method") == "SelectSources"][-1]
        assert select["types"] == 1, select  # monitors only
        term.wait(r"portal monitor \(PipeWire node \d+\)", joined=True)
        viewer = procs.start_viewer(ticket)
        run = procs.ffmpeg(viewer.url, frames=30, timeout=30).result()
        assert run.returncode == 0 and not run.stderr.strip(), run.describe()
        term.keys("q")
        term.wait(r"Stopped sharing\.")
        term.keys("q")
        assert term.exit_status() == (0, True)
        assert any(c.get("method") == "Session.Close" for c in lab.backend_calls())


def test_menu_shares_keep_their_ticket_with_keep_ticket_in_the_config(menu, procs, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(CONFIG.replace("[host]\n", "[host]\nkeep_ticket = true\n"))
    term = menu()
    tickets = []
    for _ in range(2):
        term.keys("h")
        term.wait(r"only the built-in test pattern can be shared")
        term.keys("Enter")
        tickets.append(term.wait(TICKET, joined=True).group(0))
        term.wait(r"this ticket stays valid for later shares")
        term.keys("q")
        term.wait(r"Stopped sharing\.")
    first, second = (procs.inspect(t) for t in tickets)
    assert (first["fingerprint_sha256"], first["secret"]) == (second["fingerprint_sha256"], second["secret"])
    kept = tmp_path / ".config" / "pixelpass"
    assert (kept / "ticket-secret").read_text().strip() == first["secret"]
    term.keys("C-c")
    assert term.exit_status() == (0, True)


def test_host_from_the_menu_asks_before_a_viewer_and_makes_a_new_ticket(menu, screen, procs, tmp_path):
    term = menu(display=screen.display)
    term.keys("h")
    term.wait(r"Whole screen \(1024x768\)")
    term.keys("Enter")
    ticket = term.wait(TICKET, joined=True).group(0)
    term.wait(r"ask first: off")
    term.keys("t")
    term.wait(r"ask first: on")

    home = tmp_path / "bob"
    home.mkdir()
    env = {**os.environ, "HOME": str(home)}
    viewer = procs.start_viewer(ticket, "--name", "bob", expect_url=False, env=env)
    asked = term.wait(r"bob \(([0-9a-f]{8})\) from 127\.0\.0\.1:\d+ wants to watch")
    viewer_id = asked.group(1)
    assert viewer.stdout_lines == [], "no stream before the answer"
    term.keys("a")
    assert viewer.wait_first_stdout_line(10).startswith("http://127.0.0.1:")
    term.wait(rf"bob \({viewer_id}\) may watch")
    term.wait(r"1 of 4 viewers")

    term.keys("r")
    term.wait(r"new ticket: the old one no longer lets anyone in")
    new = term.wait(re.compile(r"(?!" + re.escape(ticket) + r")pixelpass1-[a-z2-7]{40,}"), joined=True).group(0)
    assert new != ticket
    late = procs.start_viewer(ticket, expect_url=False, env=env)
    assert late.wait_exit(10) == 5, late.diag()

    term.keys("q")
    term.wait(r"Stopped sharing\.")
    term.keys("q")
    assert term.exit_status() == (0, True)
