"""`pixelpass doctor` on this machine: under a virtual X screen (Xvfb) sharing
can work (software x264enc, no VA-API device), without any graphical session
it cannot, and the text and JSON renderings agree. Colour appears only on a
terminal without NO_COLOR."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import time
from pathlib import Path


from conftest import pixelpass_binary, require_tool

ESC = "\x1b"


def headless_env() -> dict:
    env = dict(os.environ)
    for name in ("DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(name, None)
    return env


def doctor(env: dict, *args: str) -> subprocess.CompletedProcess:
    # --offline: tests reach nothing beyond this machine (the internet rows
    # are tested in the netlab, Tests/netlab/test_doctor_nat.py).
    started = time.monotonic()
    r = subprocess.run([str(pixelpass_binary()), "doctor", "--offline", *args], env=env, capture_output=True, text=True,
                       timeout=30)
    r.elapsed = time.monotonic() - started
    return r


def describe(r: subprocess.CompletedProcess) -> str:
    return f"exit {r.returncode}\nstdout:\n{r.stdout}\nstderr:\n{r.stderr}"


def rows(r: subprocess.CompletedProcess) -> dict:
    report = json.loads(r.stdout)
    return {c["name"]: c for c in report["checks"]}


def table_rows(text: str) -> dict:
    """Name → status word from the text table (rows start in column 0)."""
    out = {}
    for line in text.splitlines()[1:]:
        if not line or line.startswith(" ") or line.startswith("Sharing"):
            continue
        name, status = line[:14].strip(), line[14:22].strip()
        out[name] = status
    return out


def test_xvfb_session_can_share(screen):
    r = doctor(screen.env())
    assert r.returncode == 0, describe(r)
    assert r.elapsed < 5, f"doctor took {r.elapsed:.1f} s\n{describe(r)}"
    table = table_rows(r.stdout)
    assert table["session"] == "OK" and table["capture"] == "OK", describe(r)
    assert table["va-api"] == "WARN", describe(r)
    assert table["x264enc"] == "OK" and table["h264 encoder"] == "OK", describe(r)
    assert "Sharing can work here." in r.stdout, describe(r)

    j = doctor(screen.env(), "--json")
    assert j.returncode == 0, describe(j)
    checks = rows(j)
    assert checks["session"]["status"] == "ok" and checks["session"]["detail"] == f"X11 (DISPLAY={screen.display})"
    assert checks["capture"]["detail"].startswith("X11 screen 1024x768"), checks["capture"]
    va = checks["va-api"]
    assert va["status"] == "warning", va
    if not Path("/dev/dri").exists():
        assert va["detail"] == "no VA-API device: hardware encoding unavailable, software encoder is used", va
    assert checks["x264enc"]["status"] == "ok", checks["x264enc"]
    assert checks["h264 encoder"]["status"] == "ok" and checks["h264 encoder"]["fix"] is None
    if require_tool("mpv"):
        assert checks["players"]["status"] == "ok" and "mpv" in checks["players"]["detail"], checks["players"]


def test_clipboard_tool_is_detected_and_works(screen):
    require_tool("xclip")
    checks = rows(doctor(screen.env(), "--json"))
    assert checks["clipboard"]["status"] == "ok", checks["clipboard"]
    assert checks["clipboard"]["detail"].startswith("xclip"), checks["clipboard"]
    # The same tool, used the way Clipboard.copy uses it, returns at once
    # although it forks a child that keeps serving the selection.
    env = screen.env()
    started = time.monotonic()
    subprocess.run(["xclip", "-selection", "clipboard"], input=b"pixelpass1-test", env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=5, check=True)
    assert time.monotonic() - started < 3
    out = subprocess.run(["xclip", "-selection", "clipboard", "-o"], env=env, capture_output=True, timeout=5)
    assert out.stdout == b"pixelpass1-test"


def test_without_a_session_sharing_cannot_work():
    r = doctor(headless_env())
    assert r.returncode == 1, describe(r)
    table = table_rows(r.stdout)
    assert table["capture"] == "FAIL" and table["session"] == "WARN", describe(r)
    flowing = " ".join(r.stdout.split())  # the table wraps long details
    assert "no graphical session" in flowing and "pixelpass host --source test" in flowing, describe(r)
    assert "Sharing cannot work here yet" in r.stdout

    j = doctor(headless_env(), "--json")
    assert j.returncode == 1, describe(j)
    report = json.loads(j.stdout)
    assert report["sharing_can_work"] is False
    capture = {c["name"]: c for c in report["checks"]}["capture"]
    assert capture["status"] == "fail" and capture["detail"].startswith("no graphical session"), capture
    assert "pixelpass host --source test" in capture["fix"], capture
    assert [c["name"] for c in report["checks"] if c["status"] == "fail"] == ["capture"], report


def test_json_has_the_same_rows_as_the_table(screen):
    text = doctor(screen.env())
    j = doctor(screen.env(), "--json")
    report = json.loads(j.stdout)
    assert set(report) == {"sharing_can_work", "checks"}
    for check in report["checks"]:
        assert set(check) == {"name", "status", "detail", "fix"}, check
        assert check["status"] in {"ok", "warning", "fail", "info"}, check
    words = {"ok": "OK", "warning": "WARN", "fail": "FAIL", "info": "INFO"}
    assert table_rows(text.stdout) == {c["name"]: words[c["status"]] for c in report["checks"]}, describe(text)
    assert all(len(line) <= 80 for line in text.stdout.splitlines()), text.stdout


def run_on_terminal(env: dict) -> str:
    """doctor with stdout on a pseudo-terminal; returns what it wrote there."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([str(pixelpass_binary()), "doctor", "--offline"], env=env, stdout=slave,
                            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    proc.wait(timeout=10)
    os.close(master)
    return b"".join(chunks).decode(errors="replace")


def test_colour_only_on_a_terminal_without_no_color(screen):
    env = screen.env()
    env.pop("NO_COLOR", None)
    assert ESC not in doctor(env).stdout, "escape codes in piped output"
    assert ESC not in doctor(env, "--json").stdout
    on_tty = run_on_terminal(env)
    assert ESC + "[32mOK" + ESC + "[0m" in on_tty, on_tty
    env["NO_COLOR"] = "1"
    no_color = run_on_terminal(env)
    assert "OK" in no_color and ESC not in no_color, no_color
