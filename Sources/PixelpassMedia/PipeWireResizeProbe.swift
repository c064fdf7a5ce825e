import Foundation
import Synchronization
internal import CGStreamer

/// Runs `FrameSizeGuard` on pipewiresrc's src pad (buffers and the caps
/// events between them), on the capture's streaming thread.
final class PipeWireResizeProbe: Sendable {
    private let state = Mutex(State())

    private struct State {
        var guardState = FrameSizeGuard()
        var renegotiations = 0
    }

    /// How many renegotiations the guard asked for, for logs and tests.
    var renegotiations: Int {
        state.withLock { $0.renegotiations }
    }

    /// Adds the probe to `element`'s "src" pad; the probe holds a +1 on
    /// this object, released by GStreamer when the probe goes away.
    func attach(to element: GstHandle<GstElement>) throws {
        // Transfer full.
        guard let pad = gst_element_get_static_pad(element.pointer, "src") else {
            throw MediaError.pipelineFailed("the capture element has no src pad")
        }
        let padHandle = GstHandle(takingOwnership: pad)
        let types = GstPadProbeType(rawValue: GST_PAD_PROBE_TYPE_BUFFER.rawValue | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM.rawValue)
        let id = gst_pad_add_probe(padHandle.pointer, types, resizeProbeThunk,
                                   Unmanaged.passRetained(self).toOpaque(), releaseResizeProbeThunk)
        if id == 0 {
            throw MediaError.pipelineFailed("could not watch the capture element's frame sizes")
        }
    }

    fileprivate func handle(_ pad: UnsafeMutablePointer<GstPad>, _ info: UnsafeMutablePointer<GstPadProbeInfo>) -> GstPadProbeReturn {
        let type = ppgst_pad_probe_info_type(info).rawValue
        if type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM.rawValue != 0 {
            if let event = ppgst_pad_probe_info_event(info), ppgst_event_type(event) == GST_EVENT_CAPS {
                state.withLock { $0.guardState.capsChanged() }
            }
            return GST_PAD_PROBE_OK
        }
        guard type & GST_PAD_PROBE_TYPE_BUFFER.rawValue != 0, let buffer = ppgst_pad_probe_info_buffer(info) else {
            return GST_PAD_PROBE_OK
        }
        let size = Int(ppgst_buffer_get_size(buffer))
        let verdict = state.withLock { state in
            let verdict = state.guardState.frame(size: size)
            if verdict == .dropAndRenegotiate { state.renegotiations += 1 }
            return verdict
        }
        switch verdict {
        case .pass:
            return GST_PAD_PROBE_OK
        case .drop:
            return GST_PAD_PROBE_DROP
        case .dropAndRenegotiate:
            // pipewiresrc checks the flag before its next buffer and reconnects
            // with the node's current format.
            gst_pad_mark_reconfigure(pad)
            return GST_PAD_PROBE_DROP
        }
    }
}

/// GstPadProbeCallback; `userData` is borrowed (the probe's +1 outlives it).
private func resizeProbeThunk(_ pad: UnsafeMutablePointer<GstPad>?, _ info: UnsafeMutablePointer<GstPadProbeInfo>?,
                              _ userData: gpointer?) -> GstPadProbeReturn {
    guard let pad, let info, let userData else { return GST_PAD_PROBE_OK }
    return Unmanaged<PipeWireResizeProbe>.fromOpaque(userData).takeUnretainedValue().handle(pad, info)
}

/// GDestroyNotify for the probe: drops the +1 taken in `attach`.
private func releaseResizeProbeThunk(_ userData: gpointer?) {
    guard let userData else { return }
    Unmanaged<PipeWireResizeProbe>.fromOpaque(userData).release()
}
