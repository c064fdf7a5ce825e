"""The host adapts its H.264 bitrate to the viewers' links (issue 13): a host
behind a home router whose uplink is a tc token bucket (with a home router's
queue), viewers that decode every frame with ffmpeg; the longest time
without a new decoded frame after the first adaptation seconds, decode
errors, and the host's encoder bitrate from its stats lines.

Targets are the issue's, times 1.5 for CI (SLACK): settle within 5 s (7.5);
after settling no stall > 0.5 s on a 3 Mbit/s uplink (0.75); a 10→2 Mbit/s
drop freezes ≤ 1 s (1.5); at 1 % and 3 % random loss no stall > 1 s (1.5);
10 % loss has no target in the issue: ≤ 2 s here (3). The host runs
`--source test` (a scrolling pattern: x264 really spends the bitrate; the
black `--source clock` frame costs x264 ≈ 240 kbit/s at 1280x720 and would
load no link) at 1280x720, 30 fps, x264enc. Layout and helpers:
adaptation.py."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import adaptation as A

SLACK = 1.5
SETTLE = 5.0 * SLACK
FLOOR = 800


def _binary_or_skip() -> None:
    if not Path(A.binary()).exists():
        pytest.skip(f"no pixelpass binary at {A.binary()} (set PIXELPASS_BIN or build it)")


def _run(lab, tmp_path, viewers=1, bad_viewer_kbit=None) -> A.Run:
    _binary_or_skip()
    return A.Run(lab, A.build(lab, viewers, bad_viewer_kbit), tmp_path)


def _check_stream(run: A.Run, watcher, budget: float, start: float, problems: list) -> float:
    """Decode errors and the longest stall of one viewer from `start` on."""
    errors = watcher.errors_after_first_frame()
    if errors:
        problems.append(f"{watcher.name}: {len(errors)} decode error lines, first: {errors[:3]}")
    stall = A.longest_gap(watcher.frames, start, run.t_end)
    if stall > budget:
        gaps = [(round(t - run.t_first, 1), round(d, 2)) for t, d in A.gaps_over(watcher.frames, budget, start, run.t_end)]
        problems.append(f"{watcher.name}: stall of {stall:.2f} s > {budget:.2f} s after settling "
                        f"(s after the first frame, length: {gaps})")
    return stall


def _check_settles(run: A.Run, link_kbps: float, t0: float, end: float, problems: list, what: str) -> None:
    stats = run.host.stats(t0, end)
    if not any(A.encoder_kbps(s) is not None for s in stats):
        problems.append("the host's stats lines have no encoder.bitrate_kbps (a binary without adaptation?)")
        return
    settle = A.settle_time(stats, link_kbps, t0, end)
    if settle is None or settle > SETTLE:
        problems.append(f"the encoder's bitrate did not settle below {what} {link_kbps:.0f} kbit/s within "
                        f"{SETTLE:.1f} s (settled after: {settle})")


def _fail(problems: list, run: A.Run) -> None:
    if problems:
        pytest.fail("\n".join(problems) + "\n" + run.diagnosis(), pytrace=False)


def test_the_lab_shapes_the_uplink_and_loses_packets_both_ways(lab):
    """The plumbing the cases rely on: the tbf passes its rate (payload a
    little under it) and queues ≈ latency; set_loss drops the host's video
    (WAN egress) and the viewer's ACKs (WAN ingress)."""
    topo = A.build(lab, 1)
    h, v, r = topo.host, topo.viewers[0], topo.router
    lab.shape(r, 3000)
    up = A.udp_transfer(lab, h, f"{v.address}:5000", v, 5000, 8000, 2)
    assert 2500 < up["kbit_s"] < 3300, up
    assert lab.queue_stats(r)["drops"] > 0
    down = A.udp_transfer(lab, v, f"{r.address}:{A.HOST_PORT}", h, A.HOST_PORT, 8000, 1)
    assert down["kbit_s"] > 7000, f"the downlink is not shaped: {down}"
    lab.set_loss(r, 20)
    lab.shape(r, 3000)
    assert lab.queue_stats(r)["kind"] == "tbf"
    out = A.udp_transfer(lab, h, f"{v.address}:5000", v, 5000, 1000, 2)
    back = A.udp_transfer(lab, v, f"{r.address}:{A.HOST_PORT}", h, A.HOST_PORT, 1000, 2)
    for what, got in (("host→viewer", out), ("viewer→host", back)):
        lost = 1 - got["packets"] / got["packets_sent"]
        assert 0.1 < lost < 0.3, f"{what}: lost {lost:.0%} of {got['packets_sent']} at 20 %"


def test_one_viewer_on_a_3_mbit_uplink_settles_below_it_without_stalls(lab, tmp_path):
    run = _run(lab, tmp_path)
    lab.shape(run.topo.router, 3000)
    try:
        run.start(6000)
        run.sleep_until(35)
    finally:
        run.stop()
    problems = []
    _check_stream(run, run.watchers[0], 0.5 * SLACK, max(run.t_first, run.t_join + SETTLE), problems)
    _check_settles(run, 3000, run.t_join, run.t_end, problems, "the uplink's")
    _fail(problems, run)


def test_four_viewers_share_an_8_mbit_uplink_and_a_bad_path_does_not_pull_the_others_below_the_floor(lab, tmp_path):
    # v4 sits behind its own router whose downlink (500 kbit/s) is below the
    # floor: the encoder must stay at or above the floor for v1-v3, and v4
    # is the one that suffers (below_floor in its stats).
    bad_kbit = 500
    run = _run(lab, tmp_path, viewers=4, bad_viewer_kbit=bad_kbit)
    lab.shape(run.topo.router, 8000)
    try:
        run.start(4000)
        run.sleep_until(35)
    finally:
        run.stop()
    problems = []
    start = max(run.t_first, run.t_join + SETTLE)
    for watcher in run.watchers[:3]:
        _check_stream(run, watcher, 0.5 * SLACK, start, problems)
    # Three good viewers get the encoder's bitrate, the bad one at most its link.
    share = (8000 - bad_kbit) / 3
    _check_settles(run, share, run.t_join, run.t_end, problems, "the uplink's share per good viewer,")
    after = run.host.stats(start, run.t_end)
    low = [(round(s["time"] - run.t_first, 1), A.encoder_kbps(s)) for s in after
           if A.encoder_kbps(s) is not None and A.encoder_kbps(s) < FLOOR]
    if low:
        problems.append(f"the encoder went below the floor ({FLOOR} kbit/s) for the good viewers: {low[:8]}")
    bad_flags = [v.get("below_floor") for s in after for v in s.get("viewers", [])
                 if v.get("address", "").rsplit(":", 1)[0] == run.topo.bad.router.address]
    if not any(bad_flags):
        problems.append(f"the viewer on the {bad_kbit} kbit/s path was never reported below_floor "
                        f"(its flags after settling: {bad_flags[:10]})")
    _fail(problems, run)


def test_a_link_dropping_from_10_to_2_mbit_freezes_at_most_a_second_and_comes_back(lab, tmp_path):
    high, low = 10000, 2000
    t_drop, t_back, t_end = 10, 25, 38       # seconds after the first frame
    run = _run(lab, tmp_path)
    lab.shape(run.topo.router, high)
    try:
        run.start(6000)
        run.sleep_until(t_drop)
        dropped = time.time()
        lab.shape(run.topo.router, low)
        run.sleep_until(t_back)
        back = time.time()
        lab.shape(run.topo.router, high)
        run.sleep_until(t_end)
    finally:
        run.stop()
    problems = []
    watcher = run.watchers[0]
    errors = watcher.errors_after_first_frame()
    if errors:
        problems.append(f"{len(errors)} decode error lines, first: {errors[:3]}")
    before = A.longest_gap(watcher.frames, max(run.t_first, run.t_join + SETTLE), dropped)
    if before > 0.5 * SLACK:
        problems.append(f"a stall of {before:.2f} s on the 10 Mbit/s link before the drop")
    freeze = A.longest_gap(watcher.frames, dropped, run.t_end)
    if freeze > 1.0 * SLACK:
        gaps = [(round(t - dropped, 1), round(d, 2)) for t, d in A.gaps_over(watcher.frames, 1.0 * SLACK, dropped, run.t_end)]
        problems.append(f"froze {freeze:.2f} s > {1.0 * SLACK:.1f} s after the drop (s after the drop, length: {gaps})")
    _check_settles(run, low, dropped, back, problems, "the dropped link's")
    recovered = [A.encoder_kbps(s) for s in run.host.stats(run.t_end - 5, run.t_end)]
    if not recovered or max((k or 0) for k in recovered) <= low:
        problems.append(f"the bitrate did not climb back above {low} kbit/s within {t_end - t_back - 5}-{t_end - t_back} s "
                        f"of the link's return: {recovered}")
    _fail(problems, run)


@pytest.mark.parametrize("percent,target", [(1, 1.0), (3, 1.0), (10, 2.0)])
def test_random_loss_on_the_uplink_does_not_stall_the_stream(lab, tmp_path, percent, target):
    # A 6 Mbit/s uplink (ceiling 4000) that loses `percent` % of packets both
    # ways (the video and the viewer's ACKs): nftables numgen, added once the
    # host has its ticket (a lost STUN answer leaves the ticket without the
    # public address), then the tbf again (set_loss replaces the qdisc).
    run = _run(lab, tmp_path)
    lab.shape(run.topo.router, 6000)

    def lossy():
        lab.set_loss(run.topo.router, percent)
        lab.shape(run.topo.router, 6000)

    try:
        run.start(4000, after_ticket=lossy)
        run.sleep_until(25)
    finally:
        run.stop()
    problems = []
    _check_stream(run, run.watchers[0], target * SLACK, max(run.t_first, run.t_join + SETTLE), problems)
    _fail(problems, run)
