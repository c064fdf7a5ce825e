// Xlib, for one purpose only: replacing Xlib's process-wide error handlers,
// whose defaults call exit() when ximagesrc's X server goes away or a
// captured window is destroyed. Kept out of shim.h so Xlib's macros (Bool,
// Status, None, True, ...) reach only the Swift file that asks for them.
#ifndef PIXELPASS_CGSTREAMER_X11SHIM_H
#define PIXELPASS_CGSTREAMER_X11SHIM_H

#include <X11/Xlib.h>

#endif
