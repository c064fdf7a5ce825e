/// The H.264 encoders pixelpass knows, best first, and how each is set up
/// for low latency: no B-frames, constant bitrate, an IDR every two seconds.
///
/// Property names were checked with `gst-inspect-1.0` (x264enc, openh264enc)
/// or against the GStreamer 1.22 sources (vah264enc, vaapih264enc,
/// nvh264enc: they register no element without their hardware). Every one
/// is a GstVideoEncoder, so the upstream force-key-unit event that
/// `MediaPipeline.requestKeyframe()` sends works for all of them.
public enum VideoEncoder: String, CaseIterable, Sendable, Equatable {
    case vah264enc, vaapih264enc, nvh264enc, x264enc, openh264enc

    /// The GStreamer element, which is also the name users give.
    public var name: String { rawValue }

    public var isHardware: Bool {
        switch self {
        case .vah264enc, .vaapih264enc, .nvh264enc: return true
        case .x264enc, .openh264enc: return false
        }
    }

    /// The Debian package that ships the plugin.
    var debianPackage: String {
        switch self {
        case .vah264enc, .nvh264enc, .openh264enc: return "gstreamer1.0-plugins-bad"
        case .vaapih264enc: return "gstreamer1.0-vaapi"
        case .x264enc: return "gstreamer1.0-plugins-ugly"
        }
    }

    /// The GStreamer plugin (shared library) that registers the element.
    var pluginName: String {
        switch self {
        case .vah264enc: return "va"
        case .vaapih264enc: return "vaapi"
        case .nvh264enc: return "nvcodec"
        case .x264enc: return "x264"
        case .openh264enc: return "openh264"
        }
    }

    /// Why the element is missing although its plugin loaded: the hardware
    /// plugins register their elements only for devices they find.
    var missingWithPluginReason: String {
        switch self {
        case .vah264enc: return "no VA device with H.264 encoding"
        case .vaapih264enc: return "no VA-API device with H.264 encoding"
        case .nvh264enc: return "no NVIDIA GPU with NVENC (or no CUDA driver)"
        case .x264enc, .openh264enc: return "the plugin loaded but registered no \(name) element"
        }
    }

    /// Raw format fed to the encoder. Pinning it matters: left open,
    /// x264enc takes Y444 from a BGRx screen and produces High 4:4:4, which
    /// many players cannot decode.
    var inputFormat: String {
        switch self {
        case .vah264enc, .vaapih264enc, .nvh264enc: return "NV12"
        case .x264enc, .openh264enc: return "I420"
        }
    }

    /// The property that sets the target bitrate, and its value for `kbps`.
    /// Every one of these encoders takes a new value while PLAYING
    /// (x264enc and openh264enc checked here with `gst-inspect-1.0`: flag
    /// "changeable in … PLAYING"; the hardware ones per their 1.22 sources).
    func bitrateProperty(kbps: Int) -> (name: String, value: UInt32) {
        switch self {
        case .openh264enc: return ("bitrate", UInt32(clamping: kbps * 1000))
        case .vah264enc, .vaapih264enc, .nvh264enc, .x264enc: return ("bitrate", UInt32(clamping: kbps))
        }
    }

    /// The element with its low-latency settings, gst-launch syntax.
    func launchFragment(bitrateKbps: Int, keyframeInterval: Int) -> String {
        switch self {
        case .vah264enc:
            // key-int-max is at most 1024; target-usage 1 (best) … 7 (fastest).
            return "vah264enc rate-control=cbr bitrate=\(bitrateKbps) key-int-max=\(min(keyframeInterval, 1024)) b-frames=0 target-usage=6"
        case .vaapih264enc:
            // keyframe-period is capped at 300 in some gstreamer-vaapi releases.
            return "vaapih264enc rate-control=cbr bitrate=\(bitrateKbps) keyframe-period=\(min(keyframeInterval, 300)) max-bframes=0"
        case .nvh264enc:
            // `bframes` exists only on GPUs that can make B-frames, and
            // gst_parse_launch rejects an unknown property, so it is left
            // at its default of 0; zerolatency forbids reordering anyway.
            return "nvh264enc preset=low-latency-hq rc-mode=cbr bitrate=\(bitrateKbps) gop-size=\(keyframeInterval) zerolatency=true"
        case .x264enc:
            return "x264enc tune=zerolatency speed-preset=ultrafast bitrate=\(bitrateKbps) key-int-max=\(keyframeInterval) bframes=0"
        case .openh264enc:
            // openh264enc's bitrate is in bit/s, not kbit/s; it never makes B-frames.
            return "openh264enc usage-type=screen rate-control=bitrate bitrate=\(bitrateKbps * 1000) gop-size=\(keyframeInterval) complexity=low"
        }
    }
}
