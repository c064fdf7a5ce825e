"""The .deb from scripts/package, installed with apt in a fresh Debian 12 root.

Run by scripts/test-package, which builds the package and starts pytest in a
private mount namespace (`unshare --mount`), so the /proc and /dev mounts made
here vanish with it even if this process is killed. Needs root.

The root (mmdebstrap, or debootstrap, --variant=minbase bookworm) has no Swift:
the package must bring everything but Debian libraries with it. It is installed
with --no-install-recommends, so the checks also prove that Depends: alone is
enough to share the test source. pixelpass runs inside the root through chroot
(same network namespace); ffmpeg, outside, decodes what the viewer serves.

Environment: PIXELPASS_DEB (required), PIXELPASS_DEBIAN_MIRROR (default
http://deb.debian.org/debian), PIXELPASS_KEEP_ROOT=1 to leave the root for a look.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
MIRROR = os.environ.get("PIXELPASS_DEBIAN_MIRROR", "http://deb.debian.org/debian")
SECURITY_MIRROR = os.environ.get("PIXELPASS_DEBIAN_SECURITY_MIRROR", "http://deb.debian.org/debian-security")
# A bare environment for commands in the root: nothing of this machine's PATH.
ROOT_ENV = ["env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "LANG=C.UTF-8",
            "TERM=dumb", "DEBIAN_FRONTEND=noninteractive"]


def _terminated(signum, frame):
    # `timeout` sends SIGTERM; as an exception it lets every finally and
    # fixture teardown run, so no process is left in the root.
    raise RuntimeError(f"terminated by signal {signum}")


signal.signal(signal.SIGTERM, _terminated)


def expected_version() -> str:
    text = (REPO_ROOT / "Sources/pixelpass/Runtime/Version.swift").read_text()
    m = re.search(r'static let current = "([^"]+)"', text)
    assert m, "no version in Version.swift"
    return m.group(1)


def run(argv, timeout: float, check: bool = True, **kw) -> subprocess.CompletedProcess:
    """Runs a command to completion (killed after `timeout`), output captured."""
    r = subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=timeout, **kw)
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, argv))} exited {r.returncode}\n"
                             f"stdout:\n{r.stdout[-4000:]}\nstderr:\n{r.stderr[-4000:]}")
    return r


def mounts_under(path: Path) -> list[str]:
    """Mount points at or below `path`, deepest first (the order to unmount)."""
    prefix = str(path)
    points = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        point = line.split()[4].replace("\\040", " ")
        if point == prefix or point.startswith(prefix + "/"):
            points.append(point)
    return sorted(points, key=len, reverse=True)


class Root:
    """A fresh Debian 12 root with the package installed."""

    def __init__(self, path: Path, deb: Path):
        self.path = path
        self.deb = deb
        self.timings: dict[str, float] = {}

    def chroot(self, *argv: str) -> list[str]:
        return ["chroot", str(self.path), *ROOT_ENV, *argv]

    def run(self, *argv: str, timeout: float = 60, check: bool = True) -> subprocess.CompletedProcess:
        return run(self.chroot(*argv), timeout=timeout, check=check)

    def create(self) -> None:
        started = time.monotonic()
        if shutil.which("mmdebstrap"):
            # mmdebstrap builds the same minbase root through apt, in a fraction
            # of debootstrap's time (seconds rather than minutes here).
            run(["mmdebstrap", "--variant=minbase", "--quiet", "bookworm", self.path,
                 f"deb {MIRROR} bookworm main", f"deb {MIRROR} bookworm-updates main",
                 f"deb {SECURITY_MIRROR} bookworm-security main"], timeout=900)
        else:
            run(["debootstrap", "--variant=minbase", "bookworm", self.path, MIRROR], timeout=1500)
            (self.path / "etc/apt/sources.list").write_text(
                f"deb {MIRROR} bookworm main\ndeb {MIRROR} bookworm-updates main\n"
                f"deb {SECURITY_MIRROR} bookworm-security main\n")
        self.timings["root"] = time.monotonic() - started
        # Name resolution for apt inside the root.
        shutil.copyfile("/etc/resolv.conf", self.path / "etc/resolv.conf")
        run(["mount", "-t", "proc", "proc", self.path / "proc"], timeout=30)
        run(["mount", "--bind", "/dev", self.path / "dev"], timeout=30)

    def install(self) -> None:
        started = time.monotonic()
        shutil.copyfile(self.deb, self.path / "tmp" / self.deb.name)
        self.run("apt-get", "update", "-qq", timeout=600)
        # man-db to read the page; the package itself exactly as a user installs it.
        self.run("apt-get", "install", "-y", "-qq", "--no-install-recommends",
                 f"/tmp/{self.deb.name}", "man-db", timeout=1500)
        self.timings["install"] = time.monotonic() - started

    def destroy(self) -> None:
        for point in mounts_under(self.path):
            if subprocess.run(["umount", point]).returncode != 0:
                subprocess.run(["umount", "--lazy", point])
        left = mounts_under(self.path)
        # Never delete through a mount: a bound /dev would lose its device nodes.
        assert not left, f"still mounted, root left at {self.path}: {left}"
        if os.environ.get("PIXELPASS_KEEP_ROOT") == "1":
            print(f"package test: root kept at {self.path}")
            return
        subprocess.run(["rm", "-rf", "--one-file-system", str(self.path)], check=True)


@pytest.fixture(scope="module")
def deb() -> Path:
    value = os.environ.get("PIXELPASS_DEB")
    assert value, "set PIXELPASS_DEB to the .deb to test (scripts/test-package does)"
    path = Path(value).resolve()
    assert path.is_file(), f"{path} does not exist"
    assert path.name == f"pixelpass_{expected_version()}_amd64.deb", f"unexpected package name {path.name}"
    return path


@pytest.fixture(scope="module")
def root(deb) -> Root:
    assert os.geteuid() == 0, "the package test needs root (chroot, mounts)"
    path = Path(tempfile.mkdtemp(prefix="pixelpass-pkgroot.", dir="/var/tmp"))
    r = Root(path, deb)
    try:
        r.create()
        r.install()
        print(f"package test: root {r.timings['root']:.0f} s, apt install {r.timings['install']:.0f} s")
        yield r
    finally:
        r.destroy()


# --------------------------------------------------------------------------
# The package file


def control_field(deb: Path, field: str) -> str:
    return run(["dpkg-deb", "--field", deb, field], timeout=30).stdout.strip()


def test_control_fields(deb):
    assert control_field(deb, "Package") == "pixelpass"
    assert control_field(deb, "Version") == expected_version()
    depends = control_field(deb, "Depends")
    # From dpkg-shlibdeps: the libraries the binary links.
    for library in ("libc6", "libgstreamer1.0-0", "libngtcp2", "libnghttp3", "libgnutls30"):
        assert library in depends, f"Depends lacks {library}: {depends}"
    for plugins in ("gstreamer1.0-plugins-base", "gstreamer1.0-plugins-good",
                    "gstreamer1.0-plugins-bad", "gstreamer1.0-plugins-ugly"):
        assert plugins in depends, f"Depends lacks {plugins}: {depends}"
    assert "swift" not in depends.lower()
    recommends = control_field(deb, "Recommends")
    assert "mpv | vlc" in recommends and "gstreamer1.0-libav" in recommends, recommends


def test_contents(deb):
    listing = run(["dpkg-deb", "--contents", deb], timeout=30).stdout
    paths = {line.split()[-1].lstrip(".") for line in listing.splitlines()}
    for path in ("/usr/bin/pixelpass", "/usr/share/man/man1/pixelpass.1.gz",
                 "/usr/share/bash-completion/completions/pixelpass",
                 "/usr/share/zsh/vendor-completions/_pixelpass",
                 "/usr/share/fish/vendor_completions.d/pixelpass.fish",
                 "/usr/share/doc/pixelpass/README.md", "/usr/share/doc/pixelpass/LICENSE-MIT",
                 "/usr/share/doc/pixelpass/LICENSE-APACHE", "/usr/share/doc/pixelpass/copyright"):
        assert path in paths, f"{path} is not in the package:\n{listing}"
    # Owned by root, whoever built it.
    assert all(" root/root " in line for line in listing.splitlines()), listing


# --------------------------------------------------------------------------
# Installed in the fresh root


def test_installed_without_swift(root):
    status = root.run("dpkg-query", "-W", "-f=${Status} ${Version}", "pixelpass").stdout
    assert status == f"install ok installed {expected_version()}", status
    assert not (root.path / "opt/swift").exists()
    assert not list(root.path.glob("usr/lib/**/libswiftCore.so*")), "a Swift runtime got into the root"
    ldd = root.run("ldd", "/usr/bin/pixelpass").stdout
    assert "not found" not in ldd and "swift" not in ldd.lower(), ldd
    # Stripped: no symbol table left.
    assert "no symbols" in run(["nm", root.path / "usr/bin/pixelpass"], timeout=60, check=False).stderr


def test_version(root):
    assert root.run("pixelpass", "--version").stdout.strip() == expected_version()


def subcommands(root) -> list[str]:
    """The subcommands `pixelpass --help` lists."""
    help_text = root.run("pixelpass", "--help").stdout
    section = help_text.split("SUBCOMMANDS:", 1)
    assert len(section) == 2, help_text
    names = re.findall(r"(?m)^  ([a-z][a-z-]+)\b", section[1])
    assert len(names) >= 5, help_text
    return names


def test_man_page_renders_every_command(root):
    r = root.run("man", "pixelpass", timeout=60)
    page = r.stdout
    assert not r.stderr.strip(), f"man printed warnings:\n{r.stderr}"
    assert re.search(r"(?m)^NAME\n\s+pixelpass\b", page), page[:2000]
    assert "SYNOPSIS" in page and "DESCRIPTION" in page, page[:2000]
    for name in subcommands(root):
        # Each subcommand is a tagged item at the list's left margin.
        assert re.search(rf"(?m)^ {{5}}{re.escape(name)}\b", page), f"man page does not list `{name}`:\n{page}"


def test_completions(root):
    bash = root.path / "usr/share/bash-completion/completions/pixelpass"
    zsh = root.path / "usr/share/zsh/vendor-completions/_pixelpass"
    fish = root.path / "usr/share/fish/vendor_completions.d/pixelpass.fish"
    for script in (bash, zsh, fish):
        text = script.read_text()
        assert "pixelpass" in text and "doctor" in text, f"{script} does not complete pixelpass's commands"
    root.run("bash", "-n", "/usr/share/bash-completion/completions/pixelpass")
    # zsh and fish are not in the root; this machine's check their syntax.
    if shutil.which("zsh"):
        run(["zsh", "-n", zsh], timeout=30)
    if shutil.which("fish"):
        run(["fish", "--no-execute", fish], timeout=30)


def test_docs(root):
    doc = root.path / "usr/share/doc/pixelpass"
    assert (doc / "LICENSE-MIT").read_text() == (REPO_ROOT / "LICENSE-MIT").read_text()
    assert (doc / "LICENSE-APACHE").read_text() == (REPO_ROOT / "LICENSE-APACHE").read_text()
    assert (doc / "README.md").read_text() == (REPO_ROOT / "README.md").read_text()
    assert (doc / "copyright").read_text().startswith("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/")


def test_every_related_package_exists(root, deb):
    """Recommends and Suggests are not installed here; a misspelt name would go unnoticed."""
    names = set()
    for field in ("Depends", "Recommends", "Suggests"):
        for alternative in re.split(r"[,|]", control_field(deb, field)):
            names.add(alternative.split("(")[0].strip())
    missing = [n for n in sorted(names) if root.run("apt-cache", "show", n, check=False).returncode != 0]
    assert not missing, f"no such Debian 12 packages: {missing}"


# --------------------------------------------------------------------------
# A real share from inside the root


class Proc:
    """A process in its own session; stdout lines go to a queue, stderr is kept."""

    def __init__(self, name: str, argv: list[str]):
        self.name = name
        self.popen = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True, start_new_session=True)
        self.lines: "queue.Queue[str | None]" = queue.Queue()
        self.stderr: list[str] = []
        threading.Thread(target=self._pump_out, daemon=True).start()
        threading.Thread(target=self._pump_err, daemon=True).start()

    def _pump_out(self):
        for line in self.popen.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def _pump_err(self):
        for line in self.popen.stderr:
            self.stderr.append(line.rstrip("\n"))

    def first_line(self, timeout: float) -> str:
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            line = None
        assert line, f"{self.name} printed no line on stdout within {timeout} s\n{self.diag()}"
        return line

    def wait_stderr(self, pattern: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.stderr):
                if re.search(pattern, line):
                    return line
            time.sleep(0.1)
        raise AssertionError(f"{self.name}: no stderr line matching {pattern!r} within {timeout} s\n{self.diag()}")

    def diag(self) -> str:
        return f"--- {self.name} (exit {self.popen.poll()}) stderr:\n" + "\n".join(self.stderr[-60:])

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGINT)
            try:
                self.popen.wait(timeout=5)
            except subprocess.TimeoutExpired:
                # Not reaped yet, so the group id is still ours.
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=5)


def test_share_from_root_decodes_in_ffmpeg(root):
    assert shutil.which("ffmpeg"), "ffmpeg is needed outside the root"
    procs: list[Proc] = []
    try:
        host = Proc("host", root.chroot("pixelpass", "host", "--source", "test", "--bind", "127.0.0.1:0",
                                        "--no-audio", "--size", "640x360", "--bitrate", "1000"))
        procs.append(host)
        ticket = host.first_line(30)
        assert re.fullmatch(r"pixelpass1-[a-z2-7]+", ticket), f"not a ticket: {ticket!r}\n{host.diag()}"
        # x264enc is the encoder Depends: promises every machine (plugins-ugly);
        # without it the host would quietly fall back to openh264enc.
        capture = host.wait_stderr(r"capture:", 15)
        assert " x264enc " in capture, f"host did not encode with x264enc: {capture}"

        viewer = Proc("viewer", root.chroot("pixelpass", "view", ticket, "--player", "none"))
        procs.append(viewer)
        url = viewer.first_line(30)
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/[0-9a-f]{32}/", url), f"not a local URL: {url!r}\n{viewer.diag()}"

        r = run(["ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-progress", "pipe:1",
                 "-i", url, "-frames:v", "60", "-f", "null", "-"], timeout=90, check=False)
        frames = [int(n) for n in re.findall(r"(?m)^frame=(\d+)", r.stdout)]
        decoded = frames[-1] if frames else 0
        assert r.returncode == 0 and decoded >= 60, (
            f"ffmpeg decoded {decoded} frames (exit {r.returncode})\n{r.stderr[-3000:]}\n"
            f"{host.diag()}\n{viewer.diag()}")
    finally:
        for p in reversed(procs):
            p.stop()
