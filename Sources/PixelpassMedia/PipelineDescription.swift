/// The GStreamer elements one pipeline uses, and the gst-launch style
/// description that `gst_parse_launch` builds it from.
struct PipelineDescription: Equatable, Sendable {
    /// A GStreamer element and the Debian package that ships its plugin.
    struct Element: Equatable, Sendable {
        var name: String
        var debianPackage: String
    }

    static let videoEncoder = Element(name: "x264enc", debianPackage: "gstreamer1.0-plugins-ugly")
    /// AAC encoders, best first.
    static let audioEncoders = [
        Element(name: "avenc_aac", debianPackage: "gstreamer1.0-libav"),
        Element(name: "voaacenc", debianPackage: "gstreamer1.0-plugins-bad"),
    ]
    static let videoElements = [
        Element(name: "videotestsrc", debianPackage: "gstreamer1.0-plugins-base"),
        Element(name: "clockoverlay", debianPackage: "gstreamer1.0-x"),
        Element(name: "videoconvert", debianPackage: "gstreamer1.0-plugins-base"),
        videoEncoder,
        Element(name: "h264parse", debianPackage: "gstreamer1.0-plugins-bad"),
    ]
    static let audioElements = [
        Element(name: "audiotestsrc", debianPackage: "gstreamer1.0-plugins-base"),
        Element(name: "audioconvert", debianPackage: "gstreamer1.0-plugins-base"),
        Element(name: "audioresample", debianPackage: "gstreamer1.0-plugins-base"),
        Element(name: "aacparse", debianPackage: "gstreamer1.0-plugins-good"),
    ]
    static let commonElements = [
        Element(name: "queue", debianPackage: "libgstreamer1.0-0"),
        Element(name: "mpegtsmux", debianPackage: "gstreamer1.0-plugins-bad"),
        Element(name: "appsink", debianPackage: "gstreamer1.0-plugins-base"),
    ]

    /// Names given to the elements the Swift side looks up after parsing.
    static let sinkName = "pixelpass_sink"
    static let parserName = "pixelpass_vparse"

    // MPEG-TS intervals are in ticks of the 90 kHz clock.
    static let pcrInterval = 3600       // 40 ms: the DVB maximum, keeps players' clocks tight
    static let tableInterval = 9000     // 100 ms: PAT/PMT often enough for players that resync
    static let audioSampleRate = 48_000
    static let audioBitrate = 128_000   // bit/s

    var settings: MediaSettings
    /// `nil` when audio is off.
    var audioEncoder: Element?

    /// Picks the elements for `settings`, or says which one is missing.
    /// `hasElement` is injected so the choice can be tested without plugins.
    init(settings: MediaSettings, hasElement: (String) -> Bool) throws {
        try settings.validate()
        var required = Self.videoElements + Self.commonElements
        var audioEncoder: Element?
        if settings.audio {
            required += Self.audioElements
            guard let encoder = Self.audioEncoders.first(where: { hasElement($0.name) }) else {
                let preferred = Self.audioEncoders[0]
                throw MediaError.missingElement(name: preferred.name, debianPackage: preferred.debianPackage)
            }
            audioEncoder = encoder
        }
        if let missing = required.first(where: { !hasElement($0.name) }) {
            throw MediaError.missingElement(name: missing.name, debianPackage: missing.debianPackage)
        }
        self.settings = settings
        self.audioEncoder = audioEncoder
    }

    /// The description for `gst_parse_launch`.
    var launchString: String {
        let s = settings
        let video = [
            // A scrolling pattern keeps the encoder busy like a real screen;
            // the wall clock lets a person compare host and viewer by eye.
            "videotestsrc is-live=true pattern=smpte horizontal-speed=4",
            "video/x-raw,width=\(s.width),height=\(s.height),framerate=\(s.fps)/1",
            "clockoverlay time-format=\"%H:%M:%S\" halignment=left valignment=top shaded-background=true font-desc=\"Sans 32\"",
            "videoconvert",
            "video/x-raw,format=I420",
            "x264enc tune=zerolatency speed-preset=ultrafast bitrate=\(s.bitrateKbps) key-int-max=\(s.keyframeInterval) bframes=0",
            // SPS/PPS before every IDR so a viewer can join at any keyframe.
            "h264parse name=\(Self.parserName) config-interval=-1",
            "queue",
        ].joined(separator: " ! ") + " ! mux."

        var parts = [video]
        if let audioEncoder {
            let encoderSettings = audioEncoder.name == "avenc_aac"
                ? "avenc_aac bitrate=\(Self.audioBitrate)"
                : "voaacenc bitrate=\(Self.audioBitrate)"
            parts.append([
                "audiotestsrc is-live=true wave=sine freq=440 volume=0.2",
                "audioconvert",
                "audioresample",
                "audio/x-raw,rate=\(Self.audioSampleRate),channels=2",
                encoderSettings,
                "aacparse",
                "queue",
            ].joined(separator: " ! ") + " ! mux.")
        }
        // alignment=7: 1316-byte buffers, one UDP-sized batch of packets.
        parts.append("mpegtsmux name=mux alignment=7 pcr-interval=\(Self.pcrInterval) pat-interval=\(Self.tableInterval) pmt-interval=\(Self.tableInterval) si-interval=\(Self.tableInterval)"
            + " ! appsink name=\(Self.sinkName) sync=false emit-signals=false")
        return parts.joined(separator: "  ")
    }
}
