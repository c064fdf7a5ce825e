import Foundation
import Synchronization
internal import CGStreamer

/// When the capture element last pushed a frame, stamped by a buffer probe
/// on its src pad and read by the bus reader's `SourceStallWatch`.
final class SourceActivity: Sendable {
    private let latest = Mutex<UInt64?>(nil)

    /// Monotonic nanoseconds of the latest frame, nil before the first.
    var lastFrame: UInt64? {
        latest.withLock { $0 }
    }

    fileprivate func frameArrived() {
        let now = PipelineSession.now()
        latest.withLock { $0 = now }
    }

    /// Adds the probe to `element`'s "src" pad. The probe holds its own +1
    /// on this object, released by GStreamer when the probe goes away with
    /// the pad, so it never outlives what it stamps.
    func attach(to element: GstHandle<GstElement>) throws {
        // Transfer full.
        guard let pad = gst_element_get_static_pad(element.pointer, "src") else {
            throw MediaError.pipelineFailed("the capture element has no src pad")
        }
        let padHandle = GstHandle(takingOwnership: pad)
        let userData = Unmanaged.passRetained(self).toOpaque()
        let id = gst_pad_add_probe(padHandle.pointer, GST_PAD_PROBE_TYPE_BUFFER, sourceFrameProbeThunk,
                                   userData, releaseActivityThunk)
        if id == 0 {
            // GStreamer already called the destroy notify.
            throw MediaError.pipelineFailed("could not watch the capture element's frames")
        }
    }
}

/// GstPadProbeCallback on the capture element's streaming thread: stamp and pass.
/// `userData` is borrowed: the probe's +1 lasts as long as the probe.
private func sourceFrameProbeThunk(_ pad: UnsafeMutablePointer<GstPad>?, _ info: UnsafeMutablePointer<GstPadProbeInfo>?,
                                   _ userData: gpointer?) -> GstPadProbeReturn {
    if let userData {
        Unmanaged<SourceActivity>.fromOpaque(userData).takeUnretainedValue().frameArrived()
    }
    return GST_PAD_PROBE_OK
}

/// GDestroyNotify for the probe: drops the +1 taken in `attach`.
private func releaseActivityThunk(_ userData: gpointer?) {
    guard let userData else { return }
    Unmanaged<SourceActivity>.fromOpaque(userData).release()
}
