"""Resource use while idle: no busy loops in the host or the viewer."""

from __future__ import annotations

import os
import time

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def test_idle_host_and_connected_viewer_use_almost_no_cpu(procs, start_host):
    host = start_host()
    viewer = procs.start_viewer(host.ticket)
    assert host.wait_stderr("connected from", 10), host.diag()
    time.sleep(1)  # settle after start-up
    before = (_cpu_seconds(host.pid), _cpu_seconds(viewer.pid))
    window = 6.0
    time.sleep(window)
    after = (_cpu_seconds(host.pid), _cpu_seconds(viewer.pid))
    host_share = (after[0] - before[0]) / window
    viewer_share = (after[1] - before[1]) / window
    # Keep-alives every 2 s cost microseconds; a busy loop costs a whole core.
    assert host_share < 0.02, f"idle host used {host_share:.1%} of a core\n{host.diag()}"
    assert viewer_share < 0.02, f"idle viewer used {viewer_share:.1%} of a core\n{viewer.diag()}"
    assert not host.find_stderr("capture started"), "capture started without a player"
