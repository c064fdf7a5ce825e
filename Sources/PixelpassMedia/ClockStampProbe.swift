// Public: `install(on:)` takes a GstElement, so this file's import of the C
// module is part of the API (the other files keep theirs internal).
public import CGStreamer

/// Paints the capture time into raw video frames for latency measurement
/// (`--source clock`); the latency probe reads it back with `ClockCode.read`.
public enum ClockStampProbe {
    /// Installs a buffer probe on `element`'s src pad that paints the current CLOCK_MONOTONIC time
    /// (and a frame counter) into every raw I420 video buffer passing through, at the moment it passes.
    public static func install(on element: UnsafeMutablePointer<GstElement>) throws {
        // Transfer full; released once the probe is attached (the element
        // keeps its own pads alive).
        guard let pad = gst_element_get_static_pad(element, "src") else {
            throw MediaError.pipelineFailed("the clock stamp element has no src pad")
        }
        defer { gst_object_unref(UnsafeMutableRawPointer(pad)) }
        // Retained: the pad owns this +1 for as long as the probe exists and
        // gives it back through `releaseStamperThunk` when the probe is
        // removed or the pad is finalized; nothing on the Swift side outlives it.
        let stamper = Unmanaged.passRetained(ClockStamper()).toOpaque()
        let id = gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, clockStampThunk, stamper, releaseStamperThunk)
        guard id != 0 else {
            throw MediaError.pipelineFailed("could not add the clock stamp probe to the src pad")
        }
    }
}

/// Per-probe state. Only the pad's streaming thread touches it (a pad
/// pushes one buffer at a time), so it needs no lock.
final class ClockStamper {
    private var frame: UInt32 = 0

    /// Stamps `buffer` (the probe's reference) and returns the buffer to
    /// push on, which is a different one when the original was shared.
    func stamp(_ buffer: UnsafeMutablePointer<GstBuffer>, pad: UnsafeMutablePointer<GstPad>) -> UnsafeMutablePointer<GstBuffer> {
        // The capture time is taken first, before any copy or painting.
        let code = ClockCode(timeMicros: ClockCode.monotonicMicros(), frame: frame)
        frame &+= 1

        // Transfer full, NULL before caps are negotiated (cannot happen for
        // a buffer, but then there is nothing to paint).
        guard let caps = gst_pad_get_current_caps(pad) else { return buffer }
        var info = GstVideoInfo()
        let parsed = gst_video_info_from_caps(&info, caps) != 0
        ppgst_caps_unref(caps)
        guard parsed else { return buffer }

        // Consumes the probe's reference; usually a no-op because the
        // source hands over its only reference.
        let writable = ppgst_buffer_make_writable(buffer)!
        var videoFrame = GstVideoFrame()
        guard ppgst_video_frame_map_write(&videoFrame, &info, writable) != 0 else { return writable }
        defer { gst_video_frame_unmap(&videoFrame) }
        Self.paint(code, into: &videoFrame)
        return writable
    }

    /// Paints into planar YUV (I420, YV12, Y42B, Y444, GRAY8): plane 0 is
    /// luma, the others chroma. Other formats are left alone.
    private static func paint(_ code: ClockCode, into frame: inout GstVideoFrame) {
        switch ppgst_video_frame_format(&frame) {
        case GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_YV12, GST_VIDEO_FORMAT_Y42B, GST_VIDEO_FORMAT_Y444,
             GST_VIDEO_FORMAT_GRAY8:
            break
        default:
            return
        }
        let width = Int(ppgst_video_frame_comp_width(&frame, 0))
        let height = Int(ppgst_video_frame_comp_height(&frame, 0))
        var planes: [(UnsafeMutableRawBufferPointer, Int, Int, Int)] = []
        for plane in 0..<ppgst_video_frame_n_planes(&frame) {
            let stride = Int(ppgst_video_frame_plane_stride(&frame, plane))
            let planeWidth = Int(ppgst_video_frame_comp_width(&frame, plane))
            let planeHeight = Int(ppgst_video_frame_comp_height(&frame, plane))
            guard let data = ppgst_video_frame_plane_data(&frame, plane), stride > 0 else { return }
            let bytes = UnsafeMutableRawBufferPointer(start: data, count: stride * (planeHeight - 1) + planeWidth)
            planes.append((bytes, stride, planeWidth, planeHeight))
        }
        guard let luma = planes.first else { return }
        let chroma = planes.dropFirst().map {
            ClockCode.ChromaPlane(bytes: $0.0, stride: $0.1, width: $0.2, height: $0.3)
        }
        code.paint(into: luma.0, stride: luma.1, width: width, height: height, chroma: chroma)
    }
}

/// The pad probe callback. Captures nothing; `userData` is the retained
/// ClockStamper (see `install`), borrowed here.
private func clockStampThunk(_ pad: UnsafeMutablePointer<GstPad>?, _ info: UnsafeMutablePointer<GstPadProbeInfo>?,
                             _ userData: gpointer?) -> GstPadProbeReturn {
    guard let pad, let info, let userData, let buffer = ppgst_pad_probe_info_buffer(info) else {
        return GST_PAD_PROBE_OK
    }
    let stamper = Unmanaged<ClockStamper>.fromOpaque(userData).takeUnretainedValue()
    let stamped = stamper.stamp(buffer, pad: pad)
    if stamped != buffer {
        ppgst_pad_probe_info_set_buffer(info, stamped)
    }
    return GST_PAD_PROBE_OK
}

/// The probe's GDestroyNotify: gives back the reference `install` took.
private func releaseStamperThunk(_ userData: gpointer?) {
    guard let userData else { return }
    Unmanaged<ClockStamper>.fromOpaque(userData).release()
}

/// Confined to the pad's streaming thread.
@available(*, unavailable)
extension ClockStamper: Sendable {}
