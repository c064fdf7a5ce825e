"""Fixtures for the attack suite: the loopback integration suite's own
(`Tests/integration/conftest.py`: `procs`, `start_host`, `start_viewer`, the
per-test watchdog and the failure report), loaded under another module name
so the two conftest files never shadow each other.

Attacks here target only 127.0.0.1 and every one of them stops by itself.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_PATH = Path(__file__).resolve().parents[1] / "integration" / "conftest.py"
_spec = importlib.util.spec_from_file_location("pixelpass_integration_conftest", _PATH)
integration = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = integration
_spec.loader.exec_module(integration)

# Fixtures and hooks pytest finds by name in this module.
pixelpass_bin = integration.pixelpass_bin
procs = integration.procs
start_host = integration.start_host
start_viewer = integration.start_viewer
_watchdog = integration._watchdog
pytest_runtest_makereport = integration.pytest_runtest_makereport
