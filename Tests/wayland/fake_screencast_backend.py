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
     "source_type": 1}                       # 1 monitor, 2 window, 4 virtual

Every call is appended to a JSON-lines log (method, app_id, options as plain
JSON, has_restore_data / restore_data, response, results).

Test hooks on the same object, interface org.pixelpass.Test.Backend:
CloseSessions() -> u emits org.freedesktop.impl.portal.Session.Closed on every
open session (the compositor stopping the share) and returns how many.
SIGUSR1 does the same.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
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


class Backend:
    def __init__(self, control: str, log: str):
        self.control_path = control
        self.log_path = log
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
        if response == 0 and node is None:
            response, mode = 2, "error (control file names no node)"
        if response == 0:
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
                name = str(ctl.get("node_name") or f"node-{node}")
                results["persist_mode"] = GLib.Variant("u", persist_mode)
                results["restore_data"] = GLib.Variant(
                    "(suv)", ("pixelpass-test", 1, GLib.Variant("s", name)))
        self.log({"method": "Start", "handle": handle, "session_handle": session_handle,
                  "app_id": app_id, "parent_window": parent_window,
                  "options": plain(raw.get_child_value(4)),
                  "response": response, "mode": mode,
                  "results": plain(GLib.Variant("a{sv}", results))})
        return response, results

    # -- sessions

    def session_closed_by_frontend(self, path):
        session = self.sessions.pop(path, None)
        if session is not None:
            self.connection.unregister_object(session["reg"])
        self.log({"method": "Session.Close", "session_handle": path, "known_session": session is not None})

    def close_all_sessions(self, why: str) -> int:
        paths = list(self.sessions)
        for path in paths:
            session = self.sessions.pop(path)
            self.connection.emit_signal(None, path, "org.freedesktop.impl.portal.Session", "Closed", None)
            self.connection.unregister_object(session["reg"])
        self.log({"method": "CloseSessions", "trigger": why, "sessions": paths})
        return len(paths)


def main() -> int:
    global loop
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--control", required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()

    backend = Backend(args.control, args.log)
    loop = GLib.MainLoop()
    Gio.bus_own_name(Gio.BusType.SESSION, BUS_NAME, Gio.BusNameOwnerFlags.DO_NOT_QUEUE,
                     backend.on_bus_acquired, backend.on_name_acquired, backend.on_name_lost)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGUSR1,
                         lambda: (backend.close_all_sessions("SIGUSR1"), True)[1])
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, lambda: (loop.quit(), False)[1])
    loop.run()
    return 0


loop: GLib.MainLoop


if __name__ == "__main__":
    sys.exit(main())
