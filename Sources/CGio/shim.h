// Small, prefixed wrappers for the parts of GIO's D-Bus API that Swift
// cannot import: type macros and casts.
#ifndef PIXELPASS_CGIO_SHIM_H
#define PIXELPASS_CGIO_SHIM_H

#include <gio/gio.h>
#include <gio/gunixfdlist.h>

// G_VARIANT_TYPE is a cast macro over a type string; the string must be a
// valid GVariant type and outlive the use (string literals do).
static inline const GVariantType *ppgio_variant_type(const gchar *type_string) {
    return G_VARIANT_TYPE(type_string);
}

// GDBusSignalCallback's user_data free function.
static inline void ppgio_error_free(GError *error) {
    if (error) g_error_free(error);
}

#endif
