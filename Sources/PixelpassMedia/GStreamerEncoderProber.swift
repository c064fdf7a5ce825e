import Foundation
import Synchronization
internal import CGStreamer

/// Tries an encoder for real: the element must exist, accept the settings
/// the stream will use, and encode a few tiny frames to the end. The
/// hardware encoders often register fine and then fail here (no usable
/// device, no CBR in the driver), which is why instantiating is not enough.
///
/// Results are cached per process and per settings: a probe costs a few
/// tens of milliseconds, the plugin registry load on first use more.
struct GStreamerEncoderProber: EncoderProber {
    /// A stuck driver must not hang `resolve`.
    static let timeoutNanoseconds: GstClockTime = 5_000_000_000

    func probe(_ encoder: VideoEncoder, bitrateKbps: Int, keyframeInterval: Int) -> EncoderProbeResult {
        let key = "\(encoder.name) \(bitrateKbps) \(keyframeInterval)"
        if let known = Self.cache.withLock({ $0[key] }) {
            return known
        }
        let result = LibraryOutput.capture {
            Self.trial(encoder, bitrateKbps: bitrateKbps, keyframeInterval: keyframeInterval)
        }
        Self.cache.withLock { $0[key] = result }
        return result
    }

    private static func trial(_ encoder: VideoEncoder, bitrateKbps: Int, keyframeInterval: Int) -> EncoderProbeResult {
        guard GStreamer.hasElement(encoder.name) else {
            return GStreamer.hasPlugin(encoder.pluginName)
                ? .failed(reason: encoder.missingWithPluginReason)
                : .notInstalled(debianPackage: encoder.debianPackage)
        }
        // 256x144: tiny, yet above the minimum sizes hardware encoders have.
        let description = "videotestsrc num-buffers=3"
            + " ! video/x-raw,format=\(encoder.inputFormat),width=256,height=144,framerate=30/1"
            + " ! \(encoder.launchFragment(bitrateKbps: bitrateKbps, keyframeInterval: keyframeInterval))"
            + " ! h264parse ! fakesink sync=false"
        let pipeline: GstHandle<GstElement>
        do {
            pipeline = try GStreamer.parseLaunch(description)
        } catch let MediaError.pipelineFailed(message) {
            return .failed(reason: "rejected its settings: \(message)")
        } catch {
            return .failed(reason: "\(error)")
        }
        let bus = GstHandle(takingOwnership: ppgst_element_bus(pipeline.pointer))
        defer { _ = gst_element_set_state(pipeline.pointer, GST_STATE_NULL) }

        if gst_element_set_state(pipeline.pointer, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE {
            let reason = gst_bus_pop_filtered(bus.pointer, GST_MESSAGE_ERROR).map { message in
                defer { ppgst_message_unref(message) }
                return GStreamer.errorText(message)
            }
            return .failed(reason: "could not start: " + (reason ?? "state change failed"))
        }
        let types = GstMessageType(rawValue: GST_MESSAGE_ERROR.rawValue | GST_MESSAGE_EOS.rawValue)
        // Transfer full, or NULL on timeout.
        guard let message = gst_bus_timed_pop_filtered(bus.pointer, timeoutNanoseconds, types) else {
            return .failed(reason: "a test encode did not finish within \(timeoutNanoseconds / 1_000_000_000) s")
        }
        defer { ppgst_message_unref(message) }
        if ppgst_message_type(message) == GST_MESSAGE_EOS {
            return .works
        }
        return .failed(reason: "a test encode failed: " + GStreamer.errorText(message))
    }

    /// Results by key, shared by every thread that probes.
    private static let cache = Mutex<[String: EncoderProbeResult]>([:])
}
