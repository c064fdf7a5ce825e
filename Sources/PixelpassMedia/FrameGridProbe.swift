import Foundation
import Synchronization
internal import CGStreamer

/// Runs `FrameGrid` on the picture stage's output (buffers and the caps
/// events that carry the current frame rate), on its streaming thread.
final class FrameGridProbe: Sendable {
    private let grid = Mutex(FrameGrid())

    /// Adds the probe to `element`'s "src" pad; the probe holds a +1 on
    /// this object, released by GStreamer when the probe goes away.
    func attach(to element: GstHandle<GstElement>) throws {
        // Transfer full.
        guard let pad = gst_element_get_static_pad(element.pointer, "src") else {
            throw MediaError.pipelineFailed("the picture filter has no src pad")
        }
        let padHandle = GstHandle(takingOwnership: pad)
        let types = GstPadProbeType(rawValue: GST_PAD_PROBE_TYPE_BUFFER.rawValue | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM.rawValue)
        let id = gst_pad_add_probe(padHandle.pointer, types, frameGridProbeThunk,
                                   Unmanaged.passRetained(self).toOpaque(), releaseFrameGridProbeThunk)
        if id == 0 {
            throw MediaError.pipelineFailed("could not put the picture's frames on the frame-rate grid")
        }
    }

    fileprivate func handle(_ info: UnsafeMutablePointer<GstPadProbeInfo>) -> GstPadProbeReturn {
        let type = ppgst_pad_probe_info_type(info).rawValue
        if type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM.rawValue != 0 {
            if let event = ppgst_pad_probe_info_event(info), ppgst_event_type(event) == GST_EVENT_CAPS {
                let (numerator, denominator) = Self.frameRate(of: event)
                grid.withLock { $0.rateChanged(numerator: numerator, denominator: denominator) }
            }
            return GST_PAD_PROBE_OK
        }
        guard type & GST_PAD_PROBE_TYPE_BUFFER.rawValue != 0, let buffer = ppgst_pad_probe_info_buffer(info) else {
            return GST_PAD_PROBE_OK
        }
        // GST_CLOCK_TIME_NONE (all ones) is a frame without a timestamp.
        let pts = UInt64(buffer.pointee.pts)
        let placement = grid.withLock { $0.place(timestamp: pts == UInt64.max ? nil : pts) }
        switch placement {
        case .pass:
            return GST_PAD_PROBE_OK
        case .drop:
            return GST_PAD_PROBE_DROP
        case let .place(timestamp, duration):
            if UInt64(buffer.pointee.pts) == timestamp, UInt64(buffer.pointee.duration) == duration { return GST_PAD_PROBE_OK }
            // Consumes the probe's reference; a shared buffer is copied
            // shallowly (its memory is shared, only the metadata is new).
            guard let writable = ppgst_buffer_make_writable(buffer) else { return GST_PAD_PROBE_DROP }
            writable.pointee.pts = GstClockTime(timestamp)
            writable.pointee.duration = GstClockTime(duration)
            ppgst_pad_probe_info_set_buffer(info, writable)
            return GST_PAD_PROBE_OK
        }
    }

    /// The caps event's frame rate, (0, 1) when it has none.
    private static func frameRate(of event: UnsafeMutablePointer<GstEvent>) -> (Int, Int) {
        var caps: UnsafeMutablePointer<GstCaps>?
        gst_event_parse_caps(event, &caps)  // borrowed from the event
        guard let caps, let structure = gst_caps_get_structure(caps, 0) else { return (0, 1) }
        var numerator: gint = 0
        var denominator: gint = 1
        guard gst_structure_get_fraction(structure, "framerate", &numerator, &denominator) != 0 else { return (0, 1) }
        return (Int(numerator), Int(denominator))
    }
}

/// GstPadProbeCallback; `userData` is borrowed (the probe's +1 outlives it).
private func frameGridProbeThunk(_ pad: UnsafeMutablePointer<GstPad>?, _ info: UnsafeMutablePointer<GstPadProbeInfo>?,
                                 _ userData: gpointer?) -> GstPadProbeReturn {
    guard let info, let userData else { return GST_PAD_PROBE_OK }
    return Unmanaged<FrameGridProbe>.fromOpaque(userData).takeUnretainedValue().handle(info)
}

/// GDestroyNotify for the probe: drops the +1 taken in `attach`.
private func releaseFrameGridProbeThunk(_ userData: gpointer?) {
    guard let userData else { return }
    Unmanaged<FrameGridProbe>.fromOpaque(userData).release()
}
