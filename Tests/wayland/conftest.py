"""Fixtures for the Wayland-lab tests (run on their own:
`python3 -m pytest Tests/wayland`; do not mix with Tests/integration).

* `wayland` (function scope): a started WaylandLab (wayland_lab.py), closed
  after the test. Skips only when the lab's binaries are not installed.
* a per-test watchdog (SIGALRM) fails a test that runs far too long instead of
  hanging the suite.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from wayland_lab import WaylandLab, missing_requirements  # noqa: E402

# Hard ceiling for one test (seconds): generous, only there so nothing hangs.
TEST_WATCHDOG_SECONDS = 90


class WatchdogTimeout(Exception):
    pass


@pytest.fixture(autouse=True)
def _watchdog():
    def fire(signum, frame):
        raise WatchdogTimeout(f"test exceeded the {TEST_WATCHDOG_SECONDS} s watchdog")

    previous = signal.signal(signal.SIGALRM, fire)
    signal.alarm(TEST_WATCHDOG_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def wayland(request):
    missing = missing_requirements()
    if missing:
        pytest.skip("Wayland lab needs " + ", ".join(missing) + " (run scripts/bootstrap)")
    lab = WaylandLab()
    try:
        lab.start()
    except BaseException:
        lab.close()
        raise
    request.node._wayland_lab = lab
    try:
        yield lab
    finally:
        lab.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    lab = getattr(item, "_wayland_lab", None)
    if rep.when == "call" and rep.failed and lab is not None and lab.dir is not None:
        try:
            logs = []
            for log in sorted((lab.dir / "logs").glob("*.log")):
                tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
                logs.append(f"----- {log.name}\n{tail}")
            logs.append("----- backend calls\n" + "\n".join(map(str, lab.backend_calls())))
            rep.sections.append(("wayland lab", "\n".join(logs)))
        except Exception:
            pass
