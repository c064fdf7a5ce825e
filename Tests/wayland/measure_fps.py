#!/usr/bin/python3
"""Reads a PipeWire video node with pipewiresrc and prints JSON
{"frames": N, "seconds": S, "fps": F, "caps": "..."} measured over --seconds
after a --warmup. (pipewiresrc needs a caps filter in 0.3.65: with ANY caps
downstream it never negotiates.)"""

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
parser.add_argument("--seconds", type=float, default=2.0)
parser.add_argument("--warmup", type=float, default=0.5)
args = parser.parse_args()

Gst.init(None)
fd = f" fd={args.fd}" if args.fd is not None else ""
pipeline = Gst.parse_launch(f"pipewiresrc path={args.node}{fd} ! video/x-raw ! fakesink name=sink sync=false signal-handoffs=true")
times = []
caps = {}


def handoff(sink, buffer, pad):
    times.append(time.monotonic())
    if "c" not in caps and pad.get_current_caps():
        caps["c"] = pad.get_current_caps().to_string()


pipeline.get_by_name("sink").connect("handoff", handoff)
pipeline.set_state(Gst.State.PLAYING)
deadline = time.monotonic() + 10
while not times and time.monotonic() < deadline:
    time.sleep(0.02)
if not times:
    print(json.dumps({"frames": 0, "seconds": 0, "fps": 0, "caps": None, "error": "no frame within 10 s"}))
    pipeline.set_state(Gst.State.NULL)
    sys.exit(1)
start = times[0] + args.warmup
time.sleep(args.warmup + args.seconds)
pipeline.set_state(Gst.State.NULL)
window = [t for t in times if start <= t < start + args.seconds]
print(json.dumps({"frames": len(window), "seconds": args.seconds, "fps": len(window) / args.seconds,
                  "caps": caps.get("c")}))
