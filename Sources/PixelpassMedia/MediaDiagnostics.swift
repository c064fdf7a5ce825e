internal import CGStreamer

/// What `pixelpass doctor` may ask the media layer, without exposing
/// GStreamer types or the encoder chain's internals.
public enum MediaDiagnostics {
    /// One H.264 encoder's trial with the stream's default settings.
    public enum EncoderTrial: Equatable, Sendable {
        case works
        case notInstalled(debianPackage: String)
        case failed(reason: String)
    }

    public struct EncoderInfo: Equatable, Sendable {
        public var name: String
        public var isHardware: Bool
        public var debianPackage: String
    }

    /// The encoders pixelpass tries, best first.
    public static let h264Encoders: [EncoderInfo] = VideoEncoder.allCases.map {
        EncoderInfo(name: $0.name, isHardware: $0.isHardware, debianPackage: $0.debianPackage)
    }

    /// Encodes a few test frames with `encoder` exactly as the host would
    /// try it (the host's own prober, default bitrate and keyframe interval).
    public static func trialEncoder(named encoder: String) -> EncoderTrial {
        guard let known = VideoEncoder(rawValue: encoder) else {
            return .failed(reason: "pixelpass does not know the encoder \(encoder)")
        }
        let settings = MediaSettings()
        let result = GStreamerEncoderProber().probe(known, bitrateKbps: settings.bitrateKbps,
                                                    keyframeInterval: settings.keyframeInterval)
        switch result {
        case .works: return .works
        case let .notInstalled(debianPackage): return .notInstalled(debianPackage: debianPackage)
        case let .failed(reason): return .failed(reason: reason)
        }
    }

    /// Whether the element factory `name` is registered and makes an
    /// element: a registered factory whose library fails to load would
    /// fail only here.
    public static func canInstantiate(_ name: String) -> Bool {
        GStreamer.initialize()
        guard GStreamer.hasElement(name) else { return false }
        // Floating reference: sink it so the unref below frees the element.
        guard let element = gst_element_factory_make(name, nil) else { return false }
        let owned = gst_object_ref_sink(UnsafeMutableRawPointer(element))
        gst_object_unref(owned)
        return true
    }

    /// The default sink's monitor source (what the host records as system
    /// audio), or why there is none.
    public static func systemAudio() -> AudioPlan {
        PactlSystemAudio().defaultSinkMonitor()
    }
}
