#ifndef PIXELPASS_CNETTLE_SHIM_H
#define PIXELPASS_CNETTLE_SHIM_H

// Nettle names its functions nettle_*; the short names are object-like
// macros Swift does not import, so Swift code calls the nettle_* names.
#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <nettle/hmac.h>
#include <nettle/eddsa.h>
#include <nettle/chacha-poly1305.h>

#endif
