"""Things going wrong: the wrong host, no host, wrong or missing secrets,
third-party clients, hostile UDP traffic, and a full host."""

from __future__ import annotations

import os
import random
import re
import signal
import struct
import socket
import time

from conftest import ffmpeg_frames, free_udp_port, http_get, require_tool

TS_PACKET = 188


def _assert_decoded(procs, result, frames, label="ffmpeg"):
    why = f"\n{label}:\n{result.describe()}\n{procs.diag()}"
    assert not result.timed_out and result.returncode == 0, f"{label} failed" + why
    assert result.stderr.strip() == "", f"{label} reported decoding errors" + why
    assert ffmpeg_frames(result) == frames, f"{label} decoded {ffmpeg_frames(result)} of {frames} frames" + why


# --------------------------------------------------------------------------
# identity and reachability


def test_identity_mismatch_exits_4(procs):
    port = free_udp_port()
    host_a = procs.start_host(bind=f"127.0.0.1:{port}", name="hostA")
    ticket_a = host_a.ticket
    assert host_a.stop() == 0, procs.diag()
    host_b = procs.start_host(bind=f"127.0.0.1:{port}", name="hostB")
    assert host_b.fingerprint != host_a.fingerprint

    start = time.monotonic()
    viewer = procs.start_viewer(ticket_a, expect_url=False)
    rc = viewer.wait_exit(6)
    elapsed = time.monotonic() - start

    why = f"\nrc={rc} after {elapsed:.1f} s\n{procs.diag()}"
    assert rc == 4, "viewer with host A's ticket did not exit 4 against host B" + why
    assert viewer.stdout_text == "", "viewer printed a URL for the wrong host" + why
    assert viewer.find_stderr(re.compile(r"not the one this ticket was made for")), \
        "viewer did not say the host is not the one the ticket was made for" + why
    time.sleep(0.3)
    assert host_b.find_stderr("is watching") is None, "host B served the mismatched viewer" + why
    assert host_b.find_stderr(re.compile(r"viewer \S+ connected")) is None, \
        "host B accepted a connection the viewer should have aborted" + why


def test_unreachable_host_exits_3(procs):
    port = free_udp_port()
    host = procs.start_host(bind=f"127.0.0.1:{port}")
    ticket = host.ticket
    assert host.stop() == 0, procs.diag()

    start = time.monotonic()
    viewer = procs.start_viewer(ticket, expect_url=False)
    rc = viewer.wait_exit(14)
    elapsed = time.monotonic() - start

    why = f"\nrc={rc} after {elapsed:.1f} s\n{procs.diag()}"
    assert rc == 3, "viewer of a stopped host did not exit 3 within 14 s" + why
    assert elapsed <= 12, "viewer took too long to give up" + why
    assert viewer.stdout_text == "", why
    assert viewer.find_stderr("cannot reach the host"), why


def test_interrupt_while_connecting_exits_promptly(procs):
    """Ctrl-C while the viewer is still trying to reach a host must stop it
    at once, not after the 8 s handshake timeout with an 'unreachable' error."""
    port = free_udp_port()
    host = procs.start_host(bind=f"127.0.0.1:{port}")
    ticket = host.ticket
    assert host.stop() == 0, procs.diag()
    viewer = procs.start_viewer(ticket, expect_url=False)
    viewer.wait_stderr("connecting to", 5, context=procs.diag)
    time.sleep(0.5)

    interrupted = time.monotonic()
    viewer.send_signal(signal.SIGINT)
    rc = viewer.wait_exit(10)
    elapsed = time.monotonic() - interrupted

    why = f"\nrc={rc}, {elapsed:.1f} s after SIGINT\n{procs.diag()}"
    assert rc is not None and elapsed < 2.5, "viewer ignored Ctrl-C while connecting" + why
    assert rc in (0, 130), "an interrupted viewer should exit 0 (interrupted), not as a failure" + why
    assert viewer.find_stderr("cannot reach the host") is None, \
        "viewer blamed the host for the user's Ctrl-C" + why


# --------------------------------------------------------------------------
# secrets and third-party HTTP/3 clients


def _gtlsclient_status(procs, host, path: str) -> tuple[str, str]:
    """Runs gtlsclient (verbose) against the host and returns (":status"
    value, output)."""
    url = f"https://{host.address}{path}"
    result = procs.run_tool("gtlsclient", ["gtlsclient", "--exit-on-all-streams-close", "127.0.0.1",
                                           str(host.port), url], timeout=8)
    output = result.stdout + "\n" + result.stderr
    m = re.search(r"http: stream 0x0 \[:status: (\d+)\]", output)
    return (m.group(1) if m else ""), output


def test_wrong_or_missing_secret_gets_403_while_viewer_decodes(procs):
    require_tool("gtlsclient")
    host = procs.start_host()
    viewer = procs.start_viewer(host.ticket)
    player = procs.ffmpeg(viewer.url, frames=150)
    host.wait_stderr("is watching", 10, context=procs.diag)
    mark = host.stderr_mark()

    wrong = "00" * 16 if host.secret != "00" * 16 else "11" * 16
    status_wrong, out_wrong = _gtlsclient_status(procs, host, f"/v1/stream?secret={wrong}")
    status_none, out_none = _gtlsclient_status(procs, host, "/v1/stream")
    status_info, out_info = _gtlsclient_status(procs, host, "/v1/info")

    for label, status, out in (("wrong secret", status_wrong, out_wrong),
                               ("no secret", status_none, out_none),
                               ("no secret on /v1/info", status_info, out_info)):
        assert status == "403", f"{label}: expected :status 403, got {status!r}\n" \
                                f"{out[-3000:]}\n{procs.diag()}"
    refusals = [line for line in host.stderr_since(mark) if "wrong or missing secret" in line]
    assert len(refusals) == 3, f"host logged {len(refusals)} refusals, expected 3\n{procs.diag()}"
    assert host.find_stderr("(2 watching)") is None, "a refused client was counted as watching\n" + procs.diag()

    _assert_decoded(procs, player.result(), 150)


def test_gtlsclient_with_secret_downloads_valid_transport_stream(procs, tmp_path):
    require_tool("gtlsclient")
    host = procs.start_host()
    out = tmp_path / "dl"
    out.mkdir()
    url = f"https://{host.address}/v1/stream?secret={host.secret}"
    client = procs.tool("gtlsclient", ["gtlsclient", "-q", f"--download={out}", "127.0.0.1",
                                       str(host.port), url], timeout=4)

    deadline = time.monotonic() + 4
    size = 0
    while time.monotonic() < deadline:
        files = list(out.iterdir())
        size = files[0].stat().st_size if files else 0
        if size > 150_000:
            break
        time.sleep(0.1)
    result = client.result()  # a live stream never ends: killed at its 4 s timeout at the latest
    files = list(out.iterdir())
    why = f"\n{result.describe()}\n{procs.diag()}"
    assert len(files) == 1, "gtlsclient downloaded nothing" + why
    data = files[0].read_bytes()
    assert len(data) > 100_000, f"only {len(data)} bytes of live stream within 4 s" + why

    whole = len(data) - len(data) % TS_PACKET
    bad = [i for i in range(0, whole, TS_PACKET) if data[i] != 0x47]
    assert not bad, f"{len(bad)} of {whole // TS_PACKET} TS packets lack the 0x47 sync byte " \
                    f"(first at offset {bad[0]}): {data[bad[0]:bad[0] + 8].hex()}" + why
    pids = {((data[i + 1] & 0x1F) << 8) | data[i + 2] for i in range(0, whole, TS_PACKET)}
    assert 0 in pids, f"no PAT (PID 0) in the stream; PIDs seen: {sorted(pids)}"

    # And it is real H.264 + AAC, not just well-framed bytes.
    clip = tmp_path / "clip.ts"
    clip.write_bytes(data[:whole])
    probe = procs.run_tool("ffprobe", ["ffprobe", "-v", "error", "-show_entries", "stream=codec_name",
                                       "-of", "csv=p=0", str(clip)], timeout=20)
    assert probe.returncode == 0 and set(probe.stdout.split()) == {"h264", "aac"}, probe.describe()


# --------------------------------------------------------------------------
# hostile UDP traffic


def _quic_initial_lookalike(rng: random.Random) -> bytes:
    dcid = rng.randbytes(8)
    scid = rng.randbytes(8)
    header = bytes([0xC0 | rng.randrange(4)]) + struct.pack("!I", 1)
    header += bytes([len(dcid)]) + dcid + bytes([len(scid)]) + scid
    header += b"\x00"                        # token length
    payload_len = 1200 - len(header) - 2
    header += struct.pack("!H", 0x4000 | payload_len)
    return header + rng.randbytes(payload_len)


def test_random_udp_garbage_does_not_disturb_streaming(procs):
    host = procs.start_host()
    viewer = procs.start_viewer(host.ticket)
    player = procs.ffmpeg(viewer.url, frames=150)
    host.wait_stderr("is watching", 10, context=procs.diag)
    time.sleep(0.5)
    mark = host.stderr_mark()

    rng = random.Random(0x9E3779B9)
    sent = 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
        target = ("127.0.0.1", host.port)
        lookalikes = {rng.randrange(2000) for _ in range(10)}
        for i in range(2000):
            if i in lookalikes:
                datagram = _quic_initial_lookalike(rng)
            else:
                datagram = rng.randbytes(rng.randint(1, 1400))
            try:
                s.sendto(datagram, target)
                sent += 1
            except OSError:
                pass
            if i % 100 == 99:
                time.sleep(0.01)
        # Also from several source ports (distinct "peers").
        for _ in range(5):
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as other:
                for _ in range(3):
                    other.sendto(_quic_initial_lookalike(rng), target)
                    sent += 1
    time.sleep(1.0)
    during = host.stderr_since(mark)

    result = player.result()
    assert sent >= 1900, f"only {sent} datagrams could be sent"
    _assert_decoded(procs, result, 150)
    assert host.running(), f"host died under UDP garbage\n{procs.diag()}"
    assert len(during) <= 2, \
        f"host logged {len(during)} lines during the garbage blast (log spam):\n" + "\n".join(during[:40])

    # The host still accepts new viewers afterwards.
    late = procs.start_viewer(host.ticket, name="late-viewer")
    _assert_decoded(procs, procs.ffmpeg(late.url, frames=30).result(), 30, "late viewer's ffmpeg")


# --------------------------------------------------------------------------
# a full host
#
# README "Seats": --max-viewers counts viewers (connections), not players; the
# next viewer gets HTTP 503 and exits 5 with "the host is full".


def test_full_host_refuses_next_viewer_with_exit_5_and_frees_the_seat(procs):
    host = procs.start_host("--max-viewers", "1")
    first = procs.start_viewer(host.ticket, name="viewer1")
    player = procs.ffmpeg(first.url, frames=150)
    host.wait_stderr("is watching (1 watching)", 10, context=procs.diag)
    mark = host.stderr_mark()

    second = procs.start_viewer(host.ticket, name="viewer2", expect_url=False)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not second.stdout_lines and second.running():
        time.sleep(0.05)
    refused_status = None
    if second.stdout_lines and second.running():
        # It connected anyway: its player asks for the stream and is refused.
        refused_status, _, _ = http_get(second.stdout_lines[0], timeout=10)
    rc = second.wait_exit(5)

    why = (f"\nsecond viewer: rc={rc} (None = still running), URL printed: {second.stdout_lines[:1]}, "
           f"its player got HTTP {refused_status}\n{procs.diag()}")
    assert rc == 5, "the viewer a full host turned away did not exit 5" + why
    assert second.stdout_text == "", "a refused viewer must not print a URL" + why
    assert second.find_stderr("the host is full"), "the refused viewer did not say the host is full" + why
    host.wait_stderr(re.compile(r"refused viewer \S+: the host is full \(1 of 1 viewers\)"), 5,
                     start=mark, context=procs.diag)
    assert host.find_stderr("(2 watching)") is None, "host served more than --max-viewers" + why
    _assert_decoded(procs, player.result(), 150, "first viewer's player")

    # When the first viewer leaves, its seat is free again.
    assert first.stop() == 0, procs.diag()
    host.wait_stderr(re.compile(r"viewer \S+ disconnected"), 5, start=mark, context=procs.diag)
    third = procs.start_viewer(host.ticket, name="viewer3")
    _assert_decoded(procs, procs.ffmpeg(third.url, frames=30).result(), 30, "third viewer's player")


def test_full_host_seats_count_connections_not_players(procs):
    """With --max-viewers 1: a refused (403) client takes no seat; one viewer
    may run several players; a third-party client with the right secret is
    then answered 503 by the host itself."""
    require_tool("gtlsclient")
    host = procs.start_host("--max-viewers", "1")

    status, out = _gtlsclient_status(procs, host, "/v1/stream")
    assert status == "403", f"expected 403 without the secret, got {status!r}\n{out[-2000:]}\n{procs.diag()}"

    viewer = procs.start_viewer(host.ticket)
    players = [procs.http_reader(viewer.url) for _ in range(2)]
    for i, reader in enumerate(players):
        assert reader.wait_bytes(50_000, 15) and reader.status == 200, \
            f"local player {i + 1} of one viewer was not served\n{procs.diag()}"
    host.wait_stderr("is watching (2 watching)", 5, context=procs.diag)
    mark = host.stderr_mark()

    status, out = _gtlsclient_status(procs, host, f"/v1/stream?secret={host.secret}")
    assert status == "503", f"a second viewer (gtlsclient) got {status!r}, expected 503\n{out[-2000:]}\n{procs.diag()}"
    host.wait_stderr(re.compile(r"refused viewer \S+: the host is full"), 5, start=mark, context=procs.diag)
    for i, reader in enumerate(players):
        before = reader.body_bytes
        assert reader.wait_bytes(before + 20_000, 5) and not reader.ended, \
            f"local player {i + 1} stalled after the refusal\n{procs.diag()}"
