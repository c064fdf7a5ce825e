#!/usr/bin/python3
"""A synthetic PipeWire video source (what a compositor's screen-cast node
looks like to a client): videotestsrc is-live ! capsfilter ! pipewiresink
mode=provide, with media.class=Video/Source and the given node.name.

Commands on stdin, one a line: "resize W H" changes the capsfilter on the
running stream (same node); "restart W H" takes the pipeline to NULL and back
with the new size, which makes a NEW PipeWire node (new id). EOF or SIGTERM
stops it. Prints "PLAYING" once the pipeline plays, "RESIZED W H" after a
resize and "RESTARTED W H" after a restart.

Observed with PipeWire / gstreamer1.0-pipewire 0.3.65: pipewiresink does NOT
renegotiate on a caps change once its stream is connected (setcaps only
connects an unconnected stream). After "resize" the node keeps its first
format; a pipewiresrc consumer keeps the old caps and receives buffers of the
old size, and this process logs "gst_buffer_resize_range: assertion ...
failed" once per frame (the larger frame is truncated into the old buffer).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GLib", "2.0")
from gi.repository import GLib, Gst  # noqa: E402


def caps(fmt: str, width: int, height: int, fps: int) -> Gst.Caps:
    return Gst.Caps.from_string(f"video/x-raw,format={fmt},width={width},height={height},framerate={fps}/1")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--name", required=True)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--format", default="BGRx")
    parser.add_argument("--pattern", default="ball")
    args = parser.parse_args()

    Gst.init(None)
    props = (f"props,media.class=Video/Source,node.name={args.name},"
             f"node.description={args.name}")
    pipeline = Gst.parse_launch(
        f"videotestsrc is-live=true pattern={args.pattern} ! capsfilter name=caps ! "
        f"pipewiresink name=sink mode=provide")
    pipeline.get_by_name("sink").set_property("stream-properties", Gst.Structure.from_string(props)[0])
    capsfilter = pipeline.get_by_name("caps")
    capsfilter.set_property("caps", caps(args.format, args.width, args.height, args.fps))

    loop = GLib.MainLoop()

    def on_message(bus, message):
        if message.type == Gst.MessageType.ERROR:
            error, debug = message.parse_error()
            print(f"ERROR {error.message} ({debug})", file=sys.stderr, flush=True)
            loop.quit()
        elif message.type == Gst.MessageType.STATE_CHANGED and message.src == pipeline:
            _, new, _ = message.parse_state_changed()
            if new == Gst.State.PLAYING:
                print("PLAYING", flush=True)

    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect("message", on_message)

    def resize(width: int, height: int) -> bool:
        capsfilter.set_property("caps", caps(args.format, width, height, args.fps))
        print(f"RESIZED {width} {height}", flush=True)
        return False

    def restart(width: int, height: int) -> bool:
        # NULL, not READY: only closing the element drops the old stream.
        pipeline.set_state(Gst.State.NULL)
        capsfilter.set_property("caps", caps(args.format, width, height, args.fps))
        pipeline.set_state(Gst.State.PLAYING)
        print(f"RESTARTED {width} {height}", flush=True)
        return False

    def read_commands():
        for line in sys.stdin:
            parts = line.split()
            if len(parts) == 3 and parts[0] in ("resize", "restart"):
                action = resize if parts[0] == "resize" else restart
                GLib.idle_add(action, int(parts[1]), int(parts[2]))
        GLib.idle_add(loop.quit)

    threading.Thread(target=read_commands, daemon=True).start()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, lambda: (loop.quit(), False)[1])

    pipeline.set_state(Gst.State.PLAYING)
    loop.run()
    pipeline.set_state(Gst.State.NULL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
