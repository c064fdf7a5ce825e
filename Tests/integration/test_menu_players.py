"""The watching screen's players: `p` offers the players that can run here
(VLC not as root) and restarts the stream in the chosen one; `r` reopens;
after `q` no player is left a zombie of the menu."""

import os
import re
import signal
import subprocess
import time
from pathlib import Path

from conftest import require_tool
from test_menu import menu  # noqa: F401  (the fixture)


def _menu_pid(binary) -> int:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "cmdline").read_bytes().rstrip(b"\0") == str(binary).encode():
                    return int(entry.name)
            except OSError:
                continue
    raise AssertionError("the menu's process was not found")


def _mpv_pids() -> list[int]:
    r = subprocess.run(["pgrep", "-f", "mpv .*--title=pixelpass http://127.0.0.1"], capture_output=True, text=True)
    return [int(p) for p in r.stdout.split()]


def _children(parent: int, state: str | None = None) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent and (state is None or fields[0] == state):
            found.append(int(entry.name))
    return found


def _replaced(before: list[int]) -> bool:
    """A player runs and none of `before` does, judged from one snapshot (two
    would race a player that ends between them)."""
    now = set(_mpv_pids())
    return bool(now) and not now & set(before)


def _wait(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def test_p_switches_the_player_and_q_leaves_no_zombie(menu, screen, start_host, pixelpass_bin):
    require_tool("mpv")
    host = start_host()
    term = menu(display=screen.display)
    term.keys("v")
    term.paste(host.ticket)
    term.wait(r"Open the stream in:")
    term.keys("Enter")  # mpv
    term.wait(r"Player: mpv is open")
    term.wait(r"p another player · r reopen the player · q quit")
    assert _wait(lambda: _mpv_pids(), 10), "mpv did not start"
    first = _mpv_pids()
    menu_pid = _menu_pid(pixelpass_bin)

    term.keys("p")
    term.wait(r"Open the stream in:")
    term.wait(r"m  mpv")
    if os.geteuid() == 0:
        term.wait(r"VLC is not offered: VLC refuses to run as root")
        assert not re.search(r"v  VLC", term.text()), "VLC is offered although it cannot run as root"
    term.keys("m")
    term.wait(r"Player: mpv is open")
    assert _wait(lambda: _replaced(first), 10), \
        f"the player was not restarted: before {first}, now {_mpv_pids()}"
    term.wait(r"1 player reading", timeout=20)

    # r restarts it too.
    second = _mpv_pids()
    term.keys("r")
    assert _wait(lambda: _replaced(second), 10), "r did not reopen the player"

    # Closed by the user: the menu reaps it while watching...
    closed = _mpv_pids()
    assert closed, "no player to close"
    for pid in closed:
        os.kill(pid, signal.SIGTERM)
    term.wait(r"Player: mpv was closed")
    assert _children(menu_pid, "Z") == [], "a closed player is left a zombie while watching"
    term.keys("r")
    term.wait(r"Player: mpv is open")
    assert _wait(lambda: _mpv_pids(), 10)

    # ... and after q, when the player (windowed: it is left to the user)
    # exits later.
    term.keys("q")
    term.wait(r"Stopped watching\.")
    for pid in _mpv_pids():
        os.kill(pid, signal.SIGTERM)
    assert _wait(lambda: not _mpv_pids(), 10), "mpv did not exit on SIGTERM"
    time.sleep(1)
    assert _children(menu_pid, "Z") == [], f"zombie children of the menu: {_children(menu_pid, 'Z')}"
    term.keys("q")
    assert term.exit_status() == (0, True)
