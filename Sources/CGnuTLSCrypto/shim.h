#ifndef PIXELPASS_CGNUTLSCRYPTO_SHIM_H
#define PIXELPASS_CGNUTLSCRYPTO_SHIM_H

// Only the one-shot digest and MAC calls (gnutls_hash_fast, gnutls_hmac_fast)
// that STUN needs: MD5 for the long-term credential key, HMAC-SHA1 for
// MESSAGE-INTEGRITY and coturn's REST-API passwords; and, from gnutls.h, the
// TLS client session calls PixelpassCore's TURNTLSSession uses for turns:.
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

#endif
