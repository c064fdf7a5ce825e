"""The placement matrix: every host × viewer placement ends on the path
its NATs allow (direct, direct after an upgrade from the relay, or relayed)
and the viewer decodes without errors. The same cells, repeated and timed,
are `scripts/bench-nat`."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
from pathlib import Path

import pytest

from test_traversal import _binary

ROOT = Path(__file__).resolve().parents[2]
_loader = importlib.machinery.SourceFileLoader("bench_nat", str(ROOT / "scripts" / "bench-nat"))
_spec = importlib.util.spec_from_loader("bench_nat", _loader)
bench = importlib.util.module_from_spec(_spec)
_loader.exec_module(bench)

CELLS = [(h, v) for h in bench.PLACES for v in bench.PLACES]


@pytest.mark.parametrize("host_at,viewer_at", CELLS, ids=[f"{h}-{v}" for h, v in CELLS])
def test_cell(host_at, viewer_at):
    bench.BINARY = _binary()
    outcome, ttff, errors = bench.run_cell(host_at, viewer_at)
    want = bench.expected(host_at, viewer_at)
    print(f"{host_at} → {viewer_at}: {outcome} (expected {want}), first frame after {ttff} s")
    assert not errors, f"decode errors: {errors}"
    assert ttff is not None, "no frame decoded"
    assert outcome == want, f"{host_at} host, {viewer_at} viewer: {outcome}, expected {want}"
