#!/usr/bin/python3
"""A consumer that watches a PipeWire video node for format changes:
pipewiresrc path=NODE ! video/x-raw ! fakesink, for --seconds.

Prints "FIRST" once the first buffer arrived, then at the end one JSON line
{"segments": [{"caps", "buffer_size", "frames"}…], "errors": […],
 "reconfigures": N, "frames": N}: a new segment starts whenever the caps on
fakesink's pad or the buffer size changes.

Observed with gstreamer1.0-pipewire 0.3.65: when the producer renegotiates
(a compositor resizing the shared window), pipewiresrc gets the new format in
param_changed and its buffers get the new size, but it does not push new caps
downstream (it sets caps only in its negotiate()). So the caps stay the old
ones while buffer_size changes. With --reconfigure-on-size-change this
consumer marks pipewiresrc's src pad for reconfiguration when a buffer does
not match the caps; basesrc then calls negotiate() again, which reconnects
the stream to the same node and sets the new caps.
"""

import argparse
import json
import sys
import time

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--node", required=True)
parser.add_argument("--fd", type=int, default=None)
parser.add_argument("--seconds", type=float, default=4.0)
parser.add_argument("--reconfigure-on-size-change", action="store_true")
args = parser.parse_args()

Gst.init(None)
fd = f" fd={args.fd}" if args.fd is not None else ""
pipeline = Gst.parse_launch(f"pipewiresrc name=src path={args.node}{fd} ! video/x-raw ! "
                            f"fakesink name=sink sync=false signal-handoffs=true")
src_pad = pipeline.get_by_name("src").get_static_pad("src")
segments: list = []
errors: list = []
state = {"reconfigures": 0, "marked_for": None, "first": False}


PACKED_32 = {"BGRx", "RGBx", "xRGB", "xBGR", "BGRA", "RGBA", "ARGB", "ABGR"}


def expected_size(caps) -> int:
    """Bytes of one frame the caps describe (32-bit packed formats, the ones
    screen casts use); -1 when unknown."""
    st = caps.get_structure(0)
    ok_w, width = st.get_int("width")
    ok_h, height = st.get_int("height")
    if not (ok_w and ok_h) or st.get_string("format") not in PACKED_32:
        return -1
    return width * height * 4


def handoff(sink, buffer, pad):
    caps = pad.get_current_caps()
    caps_str = caps.to_string() if caps else None
    size = buffer.get_size()
    if not segments or segments[-1]["caps"] != caps_str or segments[-1]["buffer_size"] != size:
        segments.append({"caps": caps_str, "buffer_size": size, "frames": 0, "at": time.monotonic()})
    segments[-1]["frames"] += 1
    if not state["first"]:
        state["first"] = True
        print("FIRST", flush=True)
    if args.reconfigure_on_size_change and caps is not None and expected_size(caps) not in (-1, size) \
            and state["marked_for"] != (caps_str, size):
        state["marked_for"] = (caps_str, size)
        state["reconfigures"] += 1
        src_pad.mark_reconfigure()


pipeline.get_by_name("sink").connect("handoff", handoff)
bus = pipeline.get_bus()
pipeline.set_state(Gst.State.PLAYING)
deadline = time.monotonic() + args.seconds
while time.monotonic() < deadline:
    msg = bus.timed_pop_filtered(100 * Gst.MSECOND, Gst.MessageType.ERROR | Gst.MessageType.WARNING
                                 | Gst.MessageType.EOS)
    if msg is None:
        continue
    if msg.type == Gst.MessageType.EOS:
        errors.append("EOS")
        break
    err, debug = msg.parse_error() if msg.type == Gst.MessageType.ERROR else msg.parse_warning()
    errors.append(f"{msg.type.first_value_nick}: {err.message} ({debug})")
    if msg.type == Gst.MessageType.ERROR:
        break
pipeline.set_state(Gst.State.NULL)
start = segments[0]["at"] if segments else 0
for s in segments:
    s["at"] = round(s["at"] - start, 3)
print(json.dumps({"segments": segments, "errors": errors, "reconfigures": state["reconfigures"],
                  "frames": sum(s["frames"] for s in segments)}), flush=True)
sys.exit(1 if errors else 0)
