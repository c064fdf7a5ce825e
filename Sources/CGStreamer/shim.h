// Small, prefixed wrappers for the parts of GStreamer that Swift cannot
// import: function-like macros, casts and variadic functions.
#ifndef PIXELPASS_CGSTREAMER_SHIM_H
#define PIXELPASS_CGSTREAMER_SHIM_H

#include <gst/gst.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

// GST_CLOCK_TIME_NONE is a cast macro.
static inline GstClockTime ppgst_clock_time_none(void) {
    return GST_CLOCK_TIME_NONE;
}

// g_object_set is variadic; one typed setter per property kind we use.
static inline void ppgst_object_set_int(gpointer object, const gchar *name, gint value) {
    g_object_set(object, name, value, NULL);
}

static inline void ppgst_object_set_bool(gpointer object, const gchar *name, gboolean value) {
    g_object_set(object, name, value, NULL);
}

static inline void ppgst_object_set_string(gpointer object, const gchar *name, const gchar *value) {
    g_object_set(object, name, value, NULL);
}

static inline void ppgst_object_set_uint(gpointer object, const gchar *name, guint value) {
    g_object_set(object, name, value, NULL);
}

// Sets a GstCaps property from its text form; FALSE when the text is not caps.
static inline gboolean ppgst_object_set_caps_string(gpointer object, const gchar *name, const gchar *caps_text) {
    GstCaps *caps = gst_caps_from_string(caps_text);
    if (caps == NULL) return FALSE;
    g_object_set(object, name, caps, NULL);
    gst_caps_unref(caps);
    return TRUE;
}

// GST_BUFFER_FLAG_IS_SET is a macro over the mini-object flags.
static inline gboolean ppgst_buffer_flag_is_set(GstBuffer *buffer, GstBufferFlags flag) {
    return GST_BUFFER_FLAG_IS_SET(buffer, flag) ? TRUE : FALSE;
}

// Maps a buffer for reading; the GstMapInfo is caller-owned storage.
static inline gboolean ppgst_buffer_map_read(GstBuffer *buffer, GstMapInfo *info) {
    return gst_buffer_map(buffer, info, GST_MAP_READ);
}

static inline void ppgst_buffer_unmap(GstBuffer *buffer, GstMapInfo *info) {
    gst_buffer_unmap(buffer, info);
}

// Pulls the buffer out of a sample; the sample keeps the reference.
static inline GstBuffer *ppgst_sample_buffer(GstSample *sample) {
    return gst_sample_get_buffer(sample);
}

static inline void ppgst_sample_unref(GstSample *sample) {
    gst_sample_unref(sample);
}

static inline void ppgst_message_unref(GstMessage *message) {
    gst_message_unref(message);
}

static inline GstMessageType ppgst_message_type(GstMessage *message) {
    return GST_MESSAGE_TYPE(message);
}

// Name of the object that posted the message; borrowed, valid while the
// message is alive. Never NULL.
static inline const gchar *ppgst_message_source_name(GstMessage *message) {
    const gchar *name = GST_MESSAGE_SRC_NAME(message);
    return name ? name : "pipeline";
}

// The force-key-unit event travels upstream from the pad it is sent to.
// Returns FALSE when no element upstream handled it.
static inline gboolean ppgst_pad_send_force_key_unit(GstPad *pad, gboolean all_headers, guint count) {
    GstEvent *event = gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, all_headers, count);
    return gst_pad_send_event(pad, event);
}

// gst_parse_launch returns a floating reference for a new bin; take a
// normal reference exactly once so a single Swift owner can unref it.
static inline GstElement *ppgst_take_element(GstElement *element) {
    if (element != NULL && g_object_is_floating(element)) {
        gst_object_ref_sink(element);
    }
    return element;
}

static inline GstBus *ppgst_element_bus(GstElement *element) {
    return gst_element_get_bus(element);
}

static inline GstAppSink *ppgst_as_app_sink(GstElement *element) {
    return GST_APP_SINK(element);
}

// An application message that asks the bus reader to stop.
static inline gboolean ppgst_bus_post_wakeup(GstBus *bus, const gchar *name) {
    GstStructure *structure = gst_structure_new_empty(name);
    GstMessage *message = gst_message_new_application(NULL, structure);
    return gst_bus_post(bus, message);
}

// ---- Clock stamp probe and latency probe (ClockStampProbe.swift,
// pixelpass-latency-probe) ----

// GST_PAD_PROBE_INFO_BUFFER is a cast macro over info->data.
static inline GstBuffer *ppgst_pad_probe_info_buffer(GstPadProbeInfo *info) {
    return GST_PAD_PROBE_INFO_BUFFER(info);
}

// A probe that replaces the buffer (e.g. after make_writable) stores the
// new one here; the pad then pushes it instead.
static inline void ppgst_pad_probe_info_set_buffer(GstPadProbeInfo *info, GstBuffer *buffer) {
    GST_PAD_PROBE_INFO_DATA(info) = buffer;
}

// gst_buffer_make_writable is a macro; it consumes the reference and
// returns a writable one (the same buffer when it was the only reference).
static inline GstBuffer *ppgst_buffer_make_writable(GstBuffer *buffer) {
    return gst_buffer_make_writable(buffer);
}

// What a probe was called for, and the event it carries (macros).
static inline GstPadProbeType ppgst_pad_probe_info_type(GstPadProbeInfo *info) {
    return GST_PAD_PROBE_INFO_TYPE(info);
}

static inline GstEvent *ppgst_pad_probe_info_event(GstPadProbeInfo *info) {
    return GST_PAD_PROBE_INFO_EVENT(info);
}

static inline GstEventType ppgst_event_type(GstEvent *event) {
    return GST_EVENT_TYPE(event);
}

static inline gsize ppgst_buffer_get_size(GstBuffer *buffer) {
    return gst_buffer_get_size(buffer);
}

static inline void ppgst_caps_unref(GstCaps *caps) {
    gst_caps_unref(caps);
}

static inline gboolean ppgst_video_frame_map_write(GstVideoFrame *frame, const GstVideoInfo *info, GstBuffer *buffer) {
    return gst_video_frame_map(frame, info, buffer, GST_MAP_WRITE);
}

static inline gboolean ppgst_video_frame_map_read(GstVideoFrame *frame, const GstVideoInfo *info, GstBuffer *buffer) {
    return gst_video_frame_map(frame, info, buffer, GST_MAP_READ);
}

// GST_VIDEO_FRAME_* accessors are macros over the frame's info.
static inline guint8 *ppgst_video_frame_plane_data(const GstVideoFrame *frame, guint plane) {
    return (guint8 *)GST_VIDEO_FRAME_PLANE_DATA(frame, plane);
}

static inline gint ppgst_video_frame_plane_stride(const GstVideoFrame *frame, guint plane) {
    return GST_VIDEO_FRAME_PLANE_STRIDE(frame, plane);
}

static inline gint ppgst_video_frame_comp_width(const GstVideoFrame *frame, guint component) {
    return GST_VIDEO_FRAME_COMP_WIDTH(frame, component);
}

static inline gint ppgst_video_frame_comp_height(const GstVideoFrame *frame, guint component) {
    return GST_VIDEO_FRAME_COMP_HEIGHT(frame, component);
}

static inline guint ppgst_video_frame_n_planes(const GstVideoFrame *frame) {
    return GST_VIDEO_FRAME_N_PLANES(frame);
}

static inline GstVideoFormat ppgst_video_frame_format(const GstVideoFrame *frame) {
    return GST_VIDEO_FRAME_FORMAT(frame);
}

static inline GstCaps *ppgst_sample_caps(GstSample *sample) {
    return gst_sample_get_caps(sample);
}

#endif
