"""Pins down every command's --help text (STYLE.md 9: help text that tests
pin down). The expected text is in golden/help/NAME.txt; after a deliberate
change, regenerate them with scripts/update-help-goldens and review the diff.

Run as a script (`python3 test_help.py --update`) it rewrites the goldens;
scripts/update-help-goldens does that after building."""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import pixelpass_binary  # noqa: E402

GOLDEN_DIR = Path(__file__).resolve().parent / "golden" / "help"

# Golden file name → the arguments before --help.
COMMANDS: dict[str, list[str]] = {
    "pixelpass": [],
    "host": ["host"],
    "view": ["view"],
    "doctor": ["doctor"],
    "config": ["config"],
    "completions": ["completions"],
    "ticket": ["ticket"],
}

# A fixed width, so wrapping does not depend on the terminal running the tests.
COLUMNS = "100"


def render_help(binary: Path, args: list[str]) -> str:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "COLUMNS": COLUMNS, "LANG": "C.UTF-8",
           "HOME": "/nonexistent"}
    r = subprocess.run([str(binary), *args, "--help"], capture_output=True, text=True, env=env, timeout=20)
    assert r.returncode == 0, f"pixelpass {' '.join(args)} --help exited {r.returncode}:\n{r.stderr}"
    return r.stdout


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_matches_golden(pixelpass_bin, name):
    golden = GOLDEN_DIR / f"{name}.txt"
    actual = render_help(pixelpass_bin, COMMANDS[name])
    assert golden.is_file(), f"no golden file {golden}; run scripts/update-help-goldens"
    expected = golden.read_text()
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(keepends=True), actual.splitlines(keepends=True),
                                            fromfile=f"golden/help/{name}.txt",
                                            tofile=f"pixelpass {' '.join(COMMANDS[name] + ['--help'])}"))
        pytest.fail(f"help text changed:\n{diff}\nIf the change is intended, run scripts/update-help-goldens "
                    f"and commit the new golden files.", pytrace=False)


ALL_COMMANDS = [[], ["host"], ["view"], ["ticket"], ["ticket", "inspect"], ["doctor"], ["config"],
                ["config", "path"], ["config", "show"], ["config", "init"], ["completions"], ["apps"], ["repair"]]


def _discussion(binary: Path, args: list[str], columns: str) -> list[str]:
    """The text between the overview and USAGE, as shown at `columns`."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "COLUMNS": columns, "LANG": "C.UTF-8",
           "HOME": "/nonexistent"}
    r = subprocess.run([str(binary), *args, "--help"], capture_output=True, text=True, env=env, timeout=20)
    lines = r.stdout.split("USAGE:", 1)[0].splitlines()
    return lines[lines.index("") + 1:] if "" in lines else []


@pytest.mark.parametrize("args", ALL_COMMANDS, ids=[" ".join(a) or "pixelpass" for a in ALL_COMMANDS])
def test_help_needs_no_rewrapping_at_80_columns(pixelpass_bin, args):
    """Examples and tables are laid out by hand: at 80 columns nothing may
    wrap (a command split over two lines cannot be pasted)."""
    narrow = _discussion(pixelpass_bin, args, "80")
    wide = _discussion(pixelpass_bin, args, "300")
    assert narrow == wide, "\n".join(difflib.unified_diff(wide, narrow, "300 columns", "80 columns", lineterm=""))


def test_every_golden_file_is_checked():
    stale = sorted(p.stem for p in GOLDEN_DIR.glob("*.txt") if p.stem not in COMMANDS)
    assert not stale, f"golden files for no command: {stale}; run scripts/update-help-goldens"


def test_version(pixelpass_bin):
    version_file = Path(__file__).resolve().parents[2] / "Sources" / "pixelpass" / "Runtime" / "Version.swift"
    expected = version_file.read_text().split('current = "', 1)[1].split('"', 1)[0]
    r = subprocess.run([str(pixelpass_bin), "--version"], capture_output=True, text=True, timeout=20)
    assert r.returncode == 0 and r.stdout.strip() == expected, f"exit {r.returncode}: {r.stdout!r} {r.stderr!r}"


def update(binary: Path) -> int:
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    for stale in GOLDEN_DIR.glob("*.txt"):
        if stale.stem not in COMMANDS:
            stale.unlink()
            print(f"removed {stale}")
    for name, args in sorted(COMMANDS.items()):
        path = GOLDEN_DIR / f"{name}.txt"
        text = render_help(binary, args)
        if not path.is_file() or path.read_text() != text:
            path.write_text(text)
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: test_help.py --update   (regenerates golden/help/*.txt; see scripts/update-help-goldens)")
    sys.exit(update(pixelpass_binary()))
