"""TURN to the server over TCP and TLS (`turn:…?transport=tcp`, `turns:`) with
a real coturn on loopback: the host gets a relay each way, a wrong CA fails
at once naming the certificate problem, and a viewer whose UDP may only go
to the relay gets a decoded stream through its own allocation over TLS.

Each test runs coturn, host and viewer inside a network namespace of its
own (root needed), so its firewall rule touches nothing else."""

import json
import os
import shutil
import time
import subprocess
import uuid
from pathlib import Path

import pytest

from conftest import FAST, HostProcess, ViewerProcess, ffmpeg_frames

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("turnserver") or not shutil.which("nft"),
                                reason="needs root (a network namespace), coturn and nft")

USER, PASSWORD = "alice", "s3cret"
PLAIN_PORT, TLS_PORT = 3478, 5349
# Below the kernel's ephemeral range, so no QUIC socket lands in it.
RELAY_PORTS = (20000, 20100)


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def _pki(directory: Path):
    """A CA, a server certificate for 127.0.0.1 signed by it, and another CA."""
    for ca in ("ca", "other-ca"):
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{ca}.key", "-out", f"{ca}.pem",
                 "-days", "2", "-subj", f"/CN=pixelpass test {ca}", cwd=directory)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
             "-subj", "/CN=127.0.0.1", cwd=directory)
    (directory / "ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "server.pem", "-days", "2", "-extfile", "ext", cwd=directory)


@pytest.fixture
def netns(tmp_path, procs, pixelpass_bin):
    """A namespace with loopback up, coturn on UDP+TCP 3478 and TLS 5349, and
    pixelpass (through a wrapper) running inside it."""
    name = f"pp-turn-{uuid.uuid4().hex[:8]}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True)
        _pki(tmp_path)
        conf = tmp_path / "turnserver.conf"
        conf.write_text("\n".join([
            "listening-ip=127.0.0.1", "relay-ip=127.0.0.1",
            f"listening-port={PLAIN_PORT}", f"tls-listening-port={TLS_PORT}",
            f"min-port={RELAY_PORTS[0]}", f"max-port={RELAY_PORTS[1]}",
            "fingerprint", "lt-cred-mech", "realm=pixelpass.test", f"user={USER}:{PASSWORD}",
            f"cert={tmp_path}/server.pem", f"pkey={tmp_path}/server.key",
            "no-dtls", "no-tcp-relay", "no-cli", "no-multicast-peers", "allow-loopback-peers",
            f"userdb={tmp_path}/turndb", f"log-file={tmp_path}/turn.log", "simple-log", "no-stdout-log",
            f"pidfile={tmp_path}/turn.pid", ""]))
        coturn = subprocess.Popen(["ip", "netns", "exec", name, "turnserver", "-c", str(conf)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wrapper = tmp_path / "pixelpass-in-netns"
        wrapper.write_text(f"#!/bin/sh\nexec ip netns exec {name} {pixelpass_bin} \"$@\"\n")
        wrapper.chmod(0o755)
        procs.binary = wrapper
        # coturn is ready when its TLS port accepts (polled, not slept on).
        probe = subprocess.run(["ip", "netns", "exec", name, "bash", "-c",
                                f"for i in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/{TLS_PORT}) 2>/dev/null && exit 0;"
                                " sleep 0.05; done; exit 1"], timeout=15)
        assert probe.returncode == 0, "coturn did not start listening:\n" + _log(tmp_path)
        yield name
    finally:
        procs.teardown()
        if "coturn" in locals():
            coturn.terminate()
            coturn.wait(timeout=5)
        subprocess.run(["ip", "netns", "del", name])


def _log(directory: Path) -> str:
    logs = list(directory.glob("turn*.log"))
    return logs[0].read_text(errors="replace")[-3000:] if logs else "(no coturn log)"


def _wait_event(proc, name, timeout, where=lambda e: True):
    """The first JSON event `name` on stdout that satisfies `where`."""
    deadline = time.monotonic() + timeout
    seen = 0
    with proc._cond:
        while True:
            for line in proc.stdout_lines[seen:]:
                seen += 1
                event = json.loads(line) if line.startswith("{") else {}
                if event.get("event") == name and where(event):
                    return event
            remaining = deadline - time.monotonic()
            if remaining <= 0 or proc.poll() is not None:
                raise AssertionError(f"{proc.name}: no {name} event within {timeout} s\n{proc.diag()}")
            proc._cond.wait(min(remaining, 0.2))


def _host(procs, url, *extra):
    argv = procs.pixelpass_argv("host", "--source", "test", "--bind", "127.0.0.1:0", *FAST, "--no-audio", "--no-dht",
                                "--output", "json", "--turn", url, *extra)
    host = procs.spawn(HostProcess, "host", argv)
    ticket = _wait_event(host, "ticket", 15)["ticket"]
    return host, ticket, _wait_event(host, "listening", 15)


@pytest.mark.parametrize("url", [
    f"turn:{USER}:{PASSWORD}@127.0.0.1:{PLAIN_PORT}?transport=tcp",
    f"turns:{USER}:{PASSWORD}@127.0.0.1:{TLS_PORT}",
    f"turns:{USER}:{PASSWORD}@localhost:{TLS_PORT}",
])
def test_host_allocates_over_tcp_and_tls(netns, procs, tmp_path, url):
    host, _, listening = _host(procs, url, "--turn-ca", str(tmp_path / "ca.pem"))
    relay = listening["relay"]
    assert relay and relay.startswith("127.0.0.1:"), f"no relay for {url}\n{host.diag()}\n{_log(tmp_path)}"
    port = int(relay.rsplit(":", 1)[1])
    assert RELAY_PORTS[0] <= port <= RELAY_PORTS[1], relay


def test_wrong_ca_says_which_certificate_problem(netns, procs, tmp_path):
    started = time.monotonic()
    host, _, listening = _host(procs, f"turns:{USER}:{PASSWORD}@127.0.0.1:{TLS_PORT}",
                               "--turn-ca", str(tmp_path / "other-ca.pem"))
    assert listening["relay"] is None
    assert time.monotonic() - started < 10, "a certificate problem must not look like a timeout"
    # stderr is read by another thread: the warning may land just after the
    # listening event (failed 1 run in 4 when read at once).
    deadline = time.monotonic() + 5
    while "issuer is unknown" not in host.stderr_text and time.monotonic() < deadline:
        time.sleep(0.05)
    err = host.stderr_text
    assert "certificate" in err and "not trusted" in err.lower() and "issuer is unknown" in err, err
    assert "--turn-ca" in err, err


def test_udp_blocked_viewer_streams_through_its_own_tls_allocation(netns, procs, tmp_path):
    ca = str(tmp_path / "ca.pem")
    host, ticket, listening = _host(procs, f"turns:{USER}:{PASSWORD}@127.0.0.1:{TLS_PORT}", "--turn-ca", ca)
    relay = listening["relay"]
    assert relay, host.diag()
    # From now on UDP moves only to and from the relay's ports: the direct
    # path between viewer and host is gone, TLS to coturn is TCP.
    lo, hi = RELAY_PORTS
    rules = ["add table inet pptest",
             "add chain inet pptest out { type filter hook output priority 0 ; }",
             f"add rule inet pptest out udp sport != {lo}-{hi} udp dport != {lo}-{hi} drop"]
    subprocess.run(["ip", "netns", "exec", netns, "nft", "-f", "-"], check=True, input="\n".join(rules) + "\n", text=True)
    viewer = procs.spawn(ViewerProcess, "viewer", procs.pixelpass_argv(
        "view", ticket, "--player", "none", "--no-dht", "--output", "json",
        "--turn", f"turns:{USER}:{PASSWORD}@127.0.0.1:{TLS_PORT}", "--turn-ca", ca))
    url = _wait_event(viewer, "listening", 25)["url"]
    stats = _wait_event(viewer, "stats", 10)
    assert stats["path"] == "relayed" and stats["address"] == relay, stats
    joined = _wait_event(host, "viewer_joined", 5)
    assert joined["path"] == "relayed", joined
    frames = procs.run_tool("ffmpeg", ["ip", "netns", "exec", netns, "ffmpeg", "-nostdin", "-hide_banner", "-v", "error",
                                       "-progress", "pipe:1", "-i", url, "-frames:v", "30", "-f", "null", "-"],
                            timeout=40)
    assert ffmpeg_frames(frames) >= 30, f"{frames.describe()}\n{procs.diag()}"
