#!/usr/bin/python3
"""A small ScreenCast portal client (GDBus), used by the lab's own tests and by
WaylandLab.portal_flow(): CreateSession → SelectSources → Start →
OpenPipeWireRemote on org.freedesktop.portal.Desktop.

Writes one JSON object per line on stdout:
  {"event": "response", "method": M, "response": U, "results": {...}, "request": PATH}
  {"event": "started", "session": PATH, "streams": [[node, {...}], ...],
   "restore_token": T|null, "fd": true}
  {"event": "exec", "argv": [...], "status": N}      (with --exec)
  {"event": "closed", "after": SECONDS}             (Session.Closed while holding)
  {"event": "done", "ok": BOOL, "error": S|null}
Exit status 0 if every step answered 0, 1 if a step answered non-zero, 2 on errors.

--exec CMD…: after OpenPipeWireRemote run CMD with the PipeWire fd passed in;
"{fd}" and "{node}" in its arguments are replaced by the fd and first node id.
--hold S: keep the session open up to S seconds, until the portal emits
Session.Closed (or SIGTERM/SIGINT/stdin EOF), then close it.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time

import gi

gi.require_version("Gio", "2.0")
gi.require_version("GLib", "2.0")
from gi.repository import Gio, GLib  # noqa: E402

DEST = "org.freedesktop.portal.Desktop"
PATH = "/org/freedesktop/portal/desktop"
IFACE = "org.freedesktop.portal.ScreenCast"


def emit(**event):
    print(json.dumps(event, sort_keys=True, default=str), flush=True)


def plain(value):
    if isinstance(value, GLib.Variant):
        value = value.unpack()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


class Client:
    def __init__(self, timeout: float):
        self.timeout = timeout
        self.bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
        self.sender = self.bus.get_unique_name()[1:].replace(".", "_")
        self.counter = 0
        self.ctx = GLib.MainContext.default()

    def token(self, kind: str) -> str:
        self.counter += 1
        return f"pixelpass_lab_{kind}_{os.getpid()}_{self.counter}"

    def pump_until(self, done, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() >= deadline:
                return False
            self.ctx.iteration(False) or time.sleep(0.005)
        return True

    def request(self, method: str, signature: str, values: tuple):
        """Calls METHOD with a handle_token, waits for its Request's Response."""
        token = self.token("req")
        request_path = f"{PATH}/request/{self.sender}/{token}"
        answer = {}

        def on_response(conn, sender, path, iface, signal_name, args):
            answer["response"], answer["results"] = args.unpack()

        sub = self.bus.signal_subscribe(DEST, "org.freedesktop.portal.Request", "Response",
                                        request_path, None, Gio.DBusSignalFlags.NONE, on_response)
        # handle_token goes into the options (always the last argument).
        options = dict(values[-1])
        options["handle_token"] = GLib.Variant("s", token)
        fixed = GLib.Variant(signature, tuple(values[:-1]) + (options,))
        try:
            reply = self.bus.call_sync(DEST, PATH, IFACE, method, fixed, GLib.VariantType("(o)"),
                                       Gio.DBusCallFlags.NONE, int(self.timeout * 1000), None)
            returned = reply.unpack()[0]
            if returned != request_path:
                raise RuntimeError(f"{method}: request path {returned} is not the expected {request_path}")
            if not self.pump_until(lambda: "response" in answer, self.timeout):
                raise TimeoutError(f"{method}: no Response within {self.timeout} s")
        finally:
            self.bus.signal_unsubscribe(sub)
        emit(event="response", method=method, response=answer["response"],
             results=plain(answer["results"]), request=request_path)
        return answer["response"], answer["results"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--types", type=int, default=1)
    parser.add_argument("--cursor-mode", type=int, default=None)
    parser.add_argument("--persist-mode", type=int, default=None)
    parser.add_argument("--restore-token", default=None)
    parser.add_argument("--multiple", action="store_true")
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--hold", type=float, default=0.0)
    parser.add_argument("--exec", nargs=argparse.REMAINDER, dest="exec_argv")
    args = parser.parse_args()

    client = Client(args.timeout)
    stop = {"flag": False}
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, lambda: (stop.update(flag=True), False)[1])

    try:
        response, results = client.request(
            "CreateSession",
            "(a{sv})", ({"session_handle_token": GLib.Variant("s", client.token("session"))},))
        if response != 0:
            emit(event="done", ok=False, error=None)
            return 1
        session = results["session_handle"]

        closed = {}

        def on_closed(*_):
            closed["at"] = time.monotonic()

        client.bus.signal_subscribe(DEST, "org.freedesktop.portal.Session", "Closed", session, None,
                                    Gio.DBusSignalFlags.NONE, on_closed)

        options = {"types": GLib.Variant("u", args.types), "multiple": GLib.Variant("b", args.multiple)}
        if args.cursor_mode is not None:
            options["cursor_mode"] = GLib.Variant("u", args.cursor_mode)
        if args.persist_mode is not None:
            options["persist_mode"] = GLib.Variant("u", args.persist_mode)
        if args.restore_token:
            options["restore_token"] = GLib.Variant("s", args.restore_token)
        response, _ = client.request("SelectSources", "(oa{sv})", (session, options))
        if response != 0:
            emit(event="done", ok=False, error=None)
            return 1

        response, results = client.request("Start", "(osa{sv})", (session, "", {}))
        if response != 0:
            emit(event="done", ok=False, error=None)
            return 1
        streams = plain(results.get("streams", []))

        reply, fds = client.bus.call_with_unix_fd_list_sync(
            DEST, PATH, IFACE, "OpenPipeWireRemote", GLib.Variant("(oa{sv})", (session, {})),
            GLib.VariantType("(h)"), Gio.DBusCallFlags.NONE, int(args.timeout * 1000), None, None)
        fd = fds.get(reply.unpack()[0])
        emit(event="started", session=session, streams=streams,
             restore_token=results.get("restore_token"), fd=fd >= 0)

        if args.exec_argv:
            node = streams[0][0] if streams else 0
            argv = [a.replace("{fd}", str(fd)).replace("{node}", str(node)) for a in args.exec_argv]
            child = subprocess.run(argv, pass_fds=(fd,), stdin=subprocess.DEVNULL,
                                   stdout=sys.stderr, timeout=args.timeout * 3)
            emit(event="exec", argv=argv, status=child.returncode)

        if args.hold > 0:
            started = time.monotonic()
            stdin_closed = {}
            GLib.unix_fd_add_full(GLib.PRIORITY_DEFAULT, 0, GLib.IOCondition.IN | GLib.IOCondition.HUP,
                                  lambda *_: (stdin_closed.update(x=not os.read(0, 4096)), not stdin_closed["x"])[1])
            client.pump_until(lambda: "at" in closed or stop["flag"] or stdin_closed.get("x"), args.hold)
            if "at" in closed:
                emit(event="closed", after=round(closed["at"] - started, 3))
        if "at" not in closed:
            client.bus.call_sync(DEST, session, "org.freedesktop.portal.Session", "Close", None, None,
                                 Gio.DBusCallFlags.NONE, int(args.timeout * 1000), None)
        os.close(fd)
        emit(event="done", ok=True, error=None)
        return 0
    except Exception as error:
        emit(event="done", ok=False, error=f"{type(error).__name__}: {error}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
