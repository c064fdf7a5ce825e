#ifndef PIXELPASS_CNGHTTP3_SHIM_H
#define PIXELPASS_CNGHTTP3_SHIM_H

// nghttp3 0.8.0 constructors are versioned macros; wrap them for Swift.
#include <nghttp3/nghttp3.h>

static inline void pp_nghttp3_settings_default(nghttp3_settings *settings) {
    nghttp3_settings_default(settings);
}

static inline int pp_nghttp3_conn_client_new(nghttp3_conn **pconn,
        const nghttp3_callbacks *callbacks, const nghttp3_settings *settings,
        void *user_data) {
    return nghttp3_conn_client_new(pconn, callbacks, settings, nghttp3_mem_default(), user_data);
}

static inline int pp_nghttp3_conn_server_new(nghttp3_conn **pconn,
        const nghttp3_callbacks *callbacks, const nghttp3_settings *settings,
        void *user_data) {
    return nghttp3_conn_server_new(pconn, callbacks, settings, nghttp3_mem_default(), user_data);
}

#endif
