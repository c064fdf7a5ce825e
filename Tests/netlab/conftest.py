"""Fixtures for the netlab tests: a fresh lab per test, torn down even when the
test fails, and helpers to run Tests/netlab/nettool.py inside a namespace."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List, Sequence

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import lab as netlab  # noqa: E402

NETTOOL = str(HERE / "nettool.py")
REPO_ROOT = HERE.parents[1]
DEFAULT_BIN = REPO_ROOT / ".build-netlab" / "debug" / "pixelpass"

REQUIRED_TOOLS = ("ip", "nft", "conntrack", "turnserver", "miniupnpd", "upnpc")


def pytest_collection_modifyitems(config, items):
    reason = None
    if os.geteuid() != 0:
        reason = "the netlab needs root (network namespaces)"
    else:
        missing = [t for t in REQUIRED_TOOLS if shutil.which(t) is None]
        if missing:
            reason = f"missing tools: {', '.join(missing)} (run scripts/bootstrap)"
    if reason:
        for item in items:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def lab():
    with netlab.Lab() as made:
        yield made


def pixelpass_binary() -> Path:
    return Path(os.environ.get("PIXELPASS_BIN", str(DEFAULT_BIN)))


def json_lines(text: str) -> List[dict]:
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


def tool(lab: netlab.Lab, node, *args: str, timeout: float = 20.0) -> List[dict]:
    """Runs nettool.py inside the node; returns its JSON lines."""
    proc = lab.run(node, [sys.executable, NETTOOL, *args], timeout=timeout)
    return json_lines(proc.stdout)


def tool_bg(lab: netlab.Lab, node, *args: str) -> subprocess.Popen:
    """Starts nettool.py inside the node with unbuffered binary pipes (the
    lab stops it at teardown if it still runs)."""
    return lab.popen(node, [sys.executable, "-u", NETTOOL, *args], stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, stdin=subprocess.PIPE, bufsize=0)


def read_line(proc: subprocess.Popen, timeout: float = 10.0, what: str = "background tool") -> str:
    """Reads one line of a process's stdout, byte by byte from the pipe (so
    nothing is left in a buffer that communicate() would not see)."""
    import select
    import time
    deadline = time.monotonic() + timeout
    line = b""
    while not line.endswith(b"\n"):
        left = deadline - time.monotonic()
        ready, _, _ = select.select([proc.stdout], [], [], max(0.0, left))
        assert ready, f"{what} printed no line within {timeout}s (got {line!r})"
        byte = os.read(proc.stdout.fileno(), 1)
        assert byte, f"{what} ended early, exit {proc.poll()} (got {line!r})"
        line += byte
    return line.decode(errors="replace").strip()


def first_line(proc: subprocess.Popen, timeout: float = 10.0) -> dict:
    return json.loads(read_line(proc, timeout))


def send_line(proc: subprocess.Popen, text: str) -> None:
    proc.stdin.write((text + "\n").encode())
    proc.stdin.flush()


def finish(proc: subprocess.Popen, timeout: float = 15.0) -> List[dict]:
    out, _ = proc.communicate(timeout=timeout)
    return json_lines(out.decode(errors="replace"))
