#!/usr/bin/python3
"""A fake org.freedesktop.impl.portal.ScreenCast backend (test fixture).

The real xdg-desktop-portal frontend (1.16) loads it through a `.portal` file
(DBusName=org.freedesktop.impl.portal.desktop.pixelpasstest) when
XDG_DESKTOP_PORTAL_DIR points at that file's directory and
XDG_CURRENT_DESKTOP=pixelpass-test. The frontend creates its impl proxy at
start-up, so this process must own its bus name before the frontend starts:
it prints "READY <bus name>" on stdout once it does.

Behaviour is steered by a JSON control file, re-read on every call:

    {"mode": "grant" | "cancel" | "error",   # answer of the step in "at"
     "at": "Start",                          # CreateSession | SelectSources | Start
     "node": 42,                             # PipeWire node id Start returns
     "node_name": "pixelpass-test-video",    # goes into restore_data
     "size": [1280, 720], "position": [0, 0],
     "source_type": 1,                       # 1 monitor, 2 window, 4 virtual
     "spawn": {"width": 640, "height": 480,  # instead of "node": Start spawns a
               "fps": 30, "name": "..."}}    # FRESH source for the session
                                             # (--source-bin, pw_video_source.c)

Spawn mode is what real compositors do: every ScreenCast session gets its own
stream node, and the node goes away when the session closes. The source
process is stopped on Session.Close (from the frontend), on CloseSessions /
SIGUSR1 and when the backend exits. Start's logged results carry the node id;
the log also gets "SourceSpawned", "SourceOutput" (each line the source
prints after READY, e.g. "RESIZED W H") and "SourceStopped" entries.

Every call is appended to a JSON-lines log (method, app_id, options as plain
JSON, has_restore_data / restore_data, response, results).

Test hooks on the same object, interface org.pixelpass.Test.Backend:
CloseSessions() -> u emits org.freedesktop.impl.portal.Session.Closed on every
open session (the compositor stopping the share) and returns how many.
SIGUSR1 does the same. ResizeSources(u width, u height) -> u writes
"resize W H" to every spawned source (they renegotiate on their node) and
returns how many.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import subprocess
import sys
import time

import gi

gi.require_version("Gio", "2.0")
gi.require_version("GLib", "2.0")
from gi.repository import Gio, GLib  # noqa: E402

BUS_NAME = "org.freedesktop.impl.portal.desktop.pixelpasstest"
OBJECT_PATH = "/org/freedesktop/portal/desktop"

IMPL_XML = """
<node>
  <interface name="org.freedesktop.impl.portal.ScreenCast">
    <method name="CreateSession">
      <arg type="o" name="handle" direction="in"/>
      <arg type="o" name="session_handle" direction="in"/>
      <arg type="s" name="app_id" direction="in"/>
      <arg type="a{sv}" name="options" direction="in"/>
      <arg type="u" name="response" direction="out"/>
      <arg type="a{sv}" name="results" direction="out"/>
    </method>
    <method name="SelectSources">
      <arg type="o" name="handle" direction="in"/>
      <arg type="o" name="session_handle" direction="in"/>
      <arg type="s" name="app_id" direction="in"/>
      <arg type="a{sv}" name="options" direction="in"/>
      <arg type="u" name="response" direction="out"/>
      <arg type="a{sv}" name="results" direction="out"/>
    </method>
    <method name="Start">
      <arg type="o" name="handle" direction="in"/>
      <arg type="o" name="session_handle" direction="in"/>
      <arg type="s" name="app_id" direction="in"/>
      <arg type="s" name="parent_window" direction="in"/>
      <arg type="a{sv}" name="options" direction="in"/>
      <arg type="u" name="response" direction="out"/>
      <arg type="a{sv}" name="results" direction="out"/>
    </method>
    <property name="AvailableSourceTypes" type="u" access="read"/>
    <property name="AvailableCursorModes" type="u" access="read"/>
    <property name="version" type="u" access="read"/>
  </interface>
  <interface name="org.pixelpass.Test.Backend">
    <method name="CloseSessions">
      <arg type="u" name="count" direction="out"/>
    </method>
    <method name="ResizeSources">
      <arg type="u" name="width" direction="in"/>
      <arg type="u" name="height" direction="in"/>
      <arg type="u" name="count" direction="out"/>
    </method>
  </interface>
</node>
"""

SESSION_XML = """
<node>
  <interface name="org.freedesktop.impl.portal.Session">
    <method name="Close"/>
    <signal name="Closed"/>
    <property name="version" type="u" access="read"/>
  </interface>
</node>
"""

RESPONSES = {"grant": 0, "cancel": 1, "error": 2}


def plain(value):
    """A GVariant (or already unpacked value) as JSON-friendly data."""
    if isinstance(value, GLib.Variant):
        value = value.unpack()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


class SpawnedSource:
    """A pw_video_source process serving one session's stream node."""

    def __init__(self, backend: "Backend", argv: list, name: str, stderr_path: str, timeout: float = 10.0):
        self.backend = backend
        self.name = name
        self.node: int | None = None
        self._buf = b""
        with open(stderr_path, "ab") as err:
            self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err)
        self._fd = self.proc.stdout.fileno()
        os.set_blocking(self._fd, False)
        deadline = time.monotonic() + timeout
        while self.node is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(f"spawned source {name} did not print READY (exit {self.proc.poll()})")
            select.select([self._fd], [], [], min(remaining, 0.2))
            for line in self._read_lines():
                if line.startswith("READY "):
                    self.node = int(line.split()[1])
        self._watch = GLib.io_add_watch(self._fd, GLib.PRIORITY_DEFAULT, GLib.IO_IN | GLib.IO_HUP, self._on_output)

    def _read_lines(self) -> list:
        try:
            chunk = os.read(self._fd, 4096)
        except BlockingIOError:
            return []
        except OSError:
            chunk = b""
        if not chunk:
            return []
        self._buf += chunk
        *lines, self._buf = self._buf.split(b"\n")
        return [l.decode("utf-8", "replace") for l in lines]

    def _on_output(self, fd, condition) -> bool:
        for line in self._read_lines():
            self.backend.log({"method": "SourceOutput", "node": self.node, "name": self.name, "line": line})
        if condition & GLib.IO_HUP and not (condition & GLib.IO_IN):
            self._watch = None
            return False
        return True

    def command(self, line: str) -> bool:
        try:
            self.proc.stdin.write(line.encode() + b"\n")
            self.proc.stdin.flush()
            return True
        except OSError:
            return False

    def stop(self) -> None:
        if getattr(self, "_watch", None):
            GLib.source_remove(self._watch)
            self._watch = None
        try:
            self.proc.stdin.close()  # EOF stops it
        except OSError:
            pass
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            self.proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()


class Backend:
    def __init__(self, control: str, log: str, source_bin: str | None = None):
        self.control_path = control
        self.log_path = log
        self.source_bin = source_bin
        self.spawn_count = 0
        self.connection: Gio.DBusConnection | None = None
        self.impl_info = Gio.DBusNodeInfo.new_for_xml(IMPL_XML)
        self.session_info = Gio.DBusNodeInfo.new_for_xml(SESSION_XML)
        # session_handle -> {"reg": id, "app_id": s, "persist_mode": u, "restore_data": ...}
        self.sessions: dict[str, dict] = {}

    # -- files

    def control(self) -> dict:
        try:
            with open(self.control_path) as f:
                data = json.load(f)
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def log(self, entry: dict) -> None:
        entry["time"] = time.time()
        with open(self.log_path, "a") as f:
            f.write(json.dumps(entry, sort_keys=True) + "\n")

    # -- D-Bus plumbing

    def on_bus_acquired(self, connection, name):
        self.connection = connection
        for iface in self.impl_info.interfaces:
            connection.register_object(OBJECT_PATH, iface, self.on_call, self.on_get_property, None)

    def on_name_acquired(self, connection, name):
        print(f"READY {name}", flush=True)

    def on_name_lost(self, connection, name):
        print(f"fake backend: lost or could not own {name}", file=sys.stderr, flush=True)
        loop.quit()

    def on_get_property(self, connection, sender, path, iface, prop):
        if iface == "org.freedesktop.impl.portal.ScreenCast":
            ctl = self.control()
            values = {
                "version": int(ctl.get("version", 4)),
                "AvailableSourceTypes": int(ctl.get("available_source_types", 3)),
                "AvailableCursorModes": int(ctl.get("available_cursor_modes", 7)),
            }
            if prop in values:
                return GLib.Variant("u", values[prop])
        if iface == "org.freedesktop.impl.portal.Session" and prop == "version":
            return GLib.Variant("u", 1)
        return None

    def on_call(self, connection, sender, path, iface, method, params, invocation):
        try:
            if iface == "org.pixelpass.Test.Backend" and method == "CloseSessions":
                invocation.return_value(GLib.Variant("(u)", (self.close_all_sessions("dbus"),)))
                return
            if iface == "org.pixelpass.Test.Backend" and method == "ResizeSources":
                invocation.return_value(GLib.Variant("(u)", (self.resize_sources(*params.unpack()),)))
                return
            if iface == "org.freedesktop.impl.portal.Session" and method == "Close":
                self.session_closed_by_frontend(path)
                invocation.return_value(None)
                return
            handler = {
                "CreateSession": self.create_session,
                "SelectSources": self.select_sources,
                "Start": self.start,
            }.get(method)
            if handler is None:
                invocation.return_dbus_error("org.freedesktop.DBus.Error.UnknownMethod", method)
                return
            response, results = handler(*params.unpack(), raw=params)
            invocation.return_value(GLib.Variant("(ua{sv})", (response, results)))
        except Exception as error:  # never leave the frontend waiting
            print(f"fake backend: {method} failed: {error!r}", file=sys.stderr, flush=True)
            invocation.return_dbus_error("org.freedesktop.DBus.Error.Failed", repr(error))

    # -- decisions

    def decide(self, step: str) -> tuple[int, str]:
        ctl = self.control()
        mode = str(ctl.get("mode", "grant"))
        at = str(ctl.get("at", "Start"))
        if step == at and mode in RESPONSES:
            return RESPONSES[mode], mode
        return 0, "grant"

    def create_session(self, handle, session_handle, app_id, options, raw):
        response, mode = self.decide("CreateSession")
        if response == 0 and session_handle not in self.sessions:
            reg = self.connection.register_object(
                session_handle, self.session_info.interfaces[0],
                self.on_call, self.on_get_property, None)
            self.sessions[session_handle] = {"reg": reg, "app_id": app_id,
                                             "persist_mode": 0, "restore_data": None}
        self.log({"method": "CreateSession", "handle": handle, "session_handle": session_handle,
                  "app_id": app_id, "options": plain(raw.get_child_value(3)),
                  "response": response, "mode": mode})
        return response, {}

    def select_sources(self, handle, session_handle, app_id, options, raw):
        response, mode = self.decide("SelectSources")
        opts_variant = raw.get_child_value(3)
        restore = opts_variant.lookup_value("restore_data", None)
        session = self.sessions.get(session_handle)
        if session is not None and response == 0:
            session["persist_mode"] = int(options.get("persist_mode", 0))
            session["restore_data"] = plain(restore) if restore is not None else None
            session["types"] = options.get("types")
            session["cursor_mode"] = options.get("cursor_mode")
        self.log({"method": "SelectSources", "handle": handle, "session_handle": session_handle,
                  "app_id": app_id, "options": plain(opts_variant),
                  "has_restore_data": restore is not None,
                  "restore_data": plain(restore) if restore is not None else None,
                  "types": options.get("types"), "cursor_mode": options.get("cursor_mode"),
                  "persist_mode": options.get("persist_mode"), "multiple": options.get("multiple"),
                  "known_session": session is not None,
                  "response": response, "mode": mode})
        return response, {}

    def start(self, handle, session_handle, app_id, parent_window, options, raw):
        response, mode = self.decide("Start")
        ctl = self.control()
        session = self.sessions.get(session_handle, {})
        results: dict = {}
        node = ctl.get("node")
        spawn = ctl.get("spawn")
        spawned = None
        if response == 0 and isinstance(spawn, dict):
            try:
                spawned = self.spawn_source(spawn)
            except Exception as error:
                print(f"fake backend: spawning a source failed: {error}", file=sys.stderr, flush=True)
                response, mode = 2, f"error (spawn failed: {error})"
            else:
                node = spawned.node
                if session_handle in self.sessions:
                    session.setdefault("sources", []).append(spawned)
                else:  # the session is already gone: nothing will own it
                    self.stop_source(spawned, "session already closed")
        elif response == 0 and node is None:
            response, mode = 2, "error (control file names no node)"
        if response == 0:
            if spawned is not None:
                width, height = int(spawn.get("width", 1280)), int(spawn.get("height", 720))
            else:
                width, height = ctl.get("size") or [1280, 720]
            x, y = ctl.get("position") or [0, 0]
            source_type = int(ctl.get("source_type", 1))
            props = {
                "size": GLib.Variant("(ii)", (int(width), int(height))),
                "position": GLib.Variant("(ii)", (int(x), int(y))),
                "source_type": GLib.Variant("u", source_type),
            }
            results["streams"] = GLib.Variant("a(ua{sv})", [(int(node), props)])
            persist_mode = int(session.get("persist_mode", 0))
            if persist_mode > 0:
                name = spawned.name if spawned is not None else str(ctl.get("node_name") or f"node-{node}")
                results["persist_mode"] = GLib.Variant("u", persist_mode)
                results["restore_data"] = GLib.Variant(
                    "(suv)", ("pixelpass-test", 1, GLib.Variant("s", name)))
        self.log({"method": "Start", "handle": handle, "session_handle": session_handle,
                  "app_id": app_id, "parent_window": parent_window,
                  "options": plain(raw.get_child_value(4)),
                  "response": response, "mode": mode,
                  "spawned": {"node": spawned.node, "name": spawned.name, "pid": spawned.proc.pid}
                  if spawned is not None else None,
                  "results": plain(GLib.Variant("a{sv}", results))})
        return response, results

    # -- spawned sources

    def spawn_source(self, spec: dict) -> SpawnedSource:
        if not self.source_bin:
            raise RuntimeError("the backend was started without --source-bin")
        self.spawn_count += 1
        name = str(spec.get("name") or f"pixelpass-test-cast-{self.spawn_count}")
        argv = [self.source_bin, "--name", name, "--width", str(int(spec.get("width", 1280))),
                "--height", str(int(spec.get("height", 720))), "--fps", str(int(spec.get("fps", 30)))]
        stderr_path = os.path.join(os.path.dirname(os.path.abspath(self.log_path)), "logs",
                                   f"spawned-{self.spawn_count}.log")
        if not os.path.isdir(os.path.dirname(stderr_path)):
            stderr_path = os.devnull
        source = SpawnedSource(self, argv, name, stderr_path)
        self.log({"method": "SourceSpawned", "node": source.node, "name": name, "pid": source.proc.pid,
                  "argv": argv})
        return source

    def stop_source(self, source: SpawnedSource, why: str) -> None:
        source.stop()
        self.log({"method": "SourceStopped", "node": source.node, "name": source.name, "why": why,
                  "pid": source.proc.pid,
                  "exit": source.proc.returncode})

    def stop_session_sources(self, session: dict, why: str) -> None:
        for source in session.pop("sources", []):
            self.stop_source(source, why)

    def resize_sources(self, width: int, height: int) -> int:
        sources = [s for session in self.sessions.values() for s in session.get("sources", [])]
        count = sum(1 for s in sources if s.command(f"resize {int(width)} {int(height)}"))
        self.log({"method": "ResizeSources", "size": [int(width), int(height)],
                  "nodes": [s.node for s in sources], "count": count})
        return count

    def stop_all_sources(self, why: str) -> None:
        for session in self.sessions.values():
            self.stop_session_sources(session, why)

    # -- sessions

    def session_closed_by_frontend(self, path):
        session = self.sessions.pop(path, None)
        if session is not None:
            self.connection.unregister_object(session["reg"])
            self.stop_session_sources(session, "Session.Close")
        self.log({"method": "Session.Close", "session_handle": path, "known_session": session is not None})

    def close_all_sessions(self, why: str) -> int:
        paths = list(self.sessions)
        for path in paths:
            session = self.sessions.pop(path)
            self.connection.emit_signal(None, path, "org.freedesktop.impl.portal.Session", "Closed", None)
            self.connection.unregister_object(session["reg"])
            self.stop_session_sources(session, "Closed")
        self.log({"method": "CloseSessions", "trigger": why, "sessions": paths})
        return len(paths)


def main() -> int:
    global loop
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--control", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--source-bin", help="pw_video_source binary for control {\"spawn\": …}")
    args = parser.parse_args()

    backend = Backend(args.control, args.log, args.source_bin)
    loop = GLib.MainLoop()
    Gio.bus_own_name(Gio.BusType.SESSION, BUS_NAME, Gio.BusNameOwnerFlags.DO_NOT_QUEUE,
                     backend.on_bus_acquired, backend.on_name_acquired, backend.on_name_lost)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGUSR1,
                         lambda: (backend.close_all_sessions("SIGUSR1"), True)[1])
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, lambda: (loop.quit(), False)[1])
    loop.run()
    backend.stop_all_sources("backend exit")
    return 0


loop: GLib.MainLoop


if __name__ == "__main__":
    sys.exit(main())
