/// The GStreamer elements one pipeline uses, and the gst-launch style
/// description that `gst_parse_launch` builds it from.
struct PipelineDescription: Equatable, Sendable {
    /// A GStreamer element and the Debian package that ships its plugin.
    struct Element: Equatable, Sendable {
        var name: String
        var debianPackage: String
    }

    /// AAC encoders, best first.
    static let audioEncoders = [
        Element(name: "avenc_aac", debianPackage: "gstreamer1.0-libav"),
        Element(name: "voaacenc", debianPackage: "gstreamer1.0-plugins-bad"),
    ]
    static let commonElements = [
        Element(name: "videoconvert", debianPackage: "gstreamer1.0-plugins-base"),
        Element(name: "h264parse", debianPackage: "gstreamer1.0-plugins-bad"),
        Element(name: "queue", debianPackage: "libgstreamer1.0-0"),
        Element(name: "mpegtsmux", debianPackage: "gstreamer1.0-plugins-bad"),
        Element(name: "appsink", debianPackage: "gstreamer1.0-plugins-base"),
    ]
    static let audioElements = [
        Element(name: "audioconvert", debianPackage: "gstreamer1.0-plugins-base"),
        Element(name: "audioresample", debianPackage: "gstreamer1.0-plugins-base"),
        Element(name: "aacparse", debianPackage: "gstreamer1.0-plugins-good"),
    ]
    static let captureElements = [
        Element(name: "videorate", debianPackage: "gstreamer1.0-plugins-base"),
        Element(name: "videoscale", debianPackage: "gstreamer1.0-plugins-base"),
        Element(name: "videocrop", debianPackage: "gstreamer1.0-plugins-good"),
    ]

    static func sourceElements(_ source: SourcePlan) -> [Element] {
        switch source {
        case .test:
            return [Element(name: "videotestsrc", debianPackage: "gstreamer1.0-plugins-base"),
                    Element(name: "clockoverlay", debianPackage: "gstreamer1.0-x")]
        case .clock, .busy:
            return [Element(name: "videotestsrc", debianPackage: "gstreamer1.0-plugins-base"),
                    Element(name: "identity", debianPackage: "libgstreamer1.0-0")]
        case .x11:
            return [Element(name: "ximagesrc", debianPackage: "gstreamer1.0-plugins-good")] + captureElements
        case .pipewire, .portal:
            return [Element(name: "pipewiresrc", debianPackage: "gstreamer1.0-pipewire")] + captureElements
        }
    }

    static func audioSourceElements(_ audio: AudioPlan) -> [Element] {
        switch audio {
        case .none, .unavailable: return []
        case .testTone: return [Element(name: "audiotestsrc", debianPackage: "gstreamer1.0-plugins-base")] + audioElements
        case .systemMonitor: return [Element(name: "pulsesrc", debianPackage: "gstreamer1.0-plugins-good")] + audioElements
        case .sinkMonitor, .application:
            return [Element(name: "pipewiresrc", debianPackage: "gstreamer1.0-pipewire")] + audioElements
        }
    }

    /// Names given to the elements the Swift side looks up after parsing.
    static let sinkName = "pixelpass_sink"
    static let parserName = "pixelpass_vparse"
    /// The capture element of the x11 and pipewire sources.
    static let sourceName = "pixelpass_src"
    /// The identity element `ClockStampProbe` paints through.
    static let clockStampName = "pixelpass_clockstamp"
    /// The video encoder, whose bitrate changes while it plays.
    static let encoderName = "pixelpass_venc"
    /// The caps filter that sets the encoded picture's size and frame rate
    /// while playing (see `VideoPicture`).
    static let pictureName = "pixelpass_picture"

    // MPEG-TS intervals are in ticks of the 90 kHz clock.
    static let pcrInterval = 3600       // 40 ms: the DVB maximum, keeps players' clocks tight
    static let tableInterval = 9000     // 100 ms: PAT/PMT often enough for players that resync
    static let audioSampleRate = 48_000
    static let audioBitrate = 128_000   // bit/s

    var settings: MediaSettings
    var source: SourcePlan
    var encoder: VideoEncoder
    var audio: AudioPlan
    var outputSize: VideoSize
    /// `nil` when the stream has no audio.
    var audioEncoder: Element?

    /// Checks that every element for this plan is installed, or says which
    /// one is missing. `hasElement` is injected so tests need no plugins.
    init(settings: MediaSettings, resolved: ResolvedMedia, hasElement: (String) -> Bool) throws {
        try settings.validate()
        var required = Self.sourceElements(resolved.source) + Self.commonElements
            + [Element(name: resolved.videoEncoder.name, debianPackage: resolved.videoEncoder.debianPackage)]
        let audioSource = Self.audioSourceElements(resolved.audio)
        var audioEncoder: Element?
        if !audioSource.isEmpty {
            required += audioSource
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
        self.source = resolved.source
        self.encoder = resolved.videoEncoder
        self.audio = resolved.audio
        self.outputSize = resolved.outputSize
        self.audioEncoder = audioEncoder
    }

    /// The description for `gst_parse_launch`.
    var launchString: String {
        let video = (videoSource + pictureStage + [
            // The encoder on its own thread behind a one-frame leaky queue: a
            // slow encode drops the oldest waiting frame instead of holding
            // back the next capture.
            "queue max-size-buffers=1 max-size-bytes=0 max-size-time=0 leaky=downstream",
            encoder.launchFragment(bitrateKbps: settings.bitrateKbps, keyframeInterval: settings.keyframeInterval)
                + " name=\(Self.encoderName)",
            // SPS/PPS before every IDR so a viewer can join at any keyframe.
            "h264parse name=\(Self.parserName) config-interval=-1",
            "queue",
        ]).joined(separator: " ! ") + " ! mux."

        var parts = [video]
        if let audioEncoder, let audioSource {
            let encoderSettings = audioEncoder.name == "avenc_aac"
                ? "avenc_aac bitrate=\(Self.audioBitrate)"
                : "voaacenc bitrate=\(Self.audioBitrate)"
            parts.append(([audioSource] + [
                "audioconvert",
                "audioresample",
                "audio/x-raw,rate=\(Self.audioSampleRate),channels=2",
                encoderSettings,
                "aacparse",
                "queue",
            ]).joined(separator: " ! ") + " ! mux.")
        }
        // alignment=0: push each frame's packets as soon as they are muxed.
        // (alignment=7 held a frame's last packets back until the next frame
        // filled the 7-packet batch: one frame interval of added latency.)
        parts.append("mpegtsmux name=mux alignment=0 pcr-interval=\(Self.pcrInterval) pat-interval=\(Self.tableInterval) pmt-interval=\(Self.tableInterval) si-interval=\(Self.tableInterval)"
            + " ! appsink name=\(Self.sinkName) sync=false emit-signals=false")
        return parts.joined(separator: "  ")
    }

    /// Where the rate controller lowers the frame rate and the size on a slow
    /// link: a pass-through until `PipelineSession.setPicture` changes the
    /// caps. videorate only drops frames here (the source already holds the
    /// rate steady); the encoder restarts at the new caps with an IDR.
    private var pictureStage: [String] {
        ["videorate drop-only=true", "videoscale",
         "capsfilter name=\(Self.pictureName) caps=\"\(VideoPicture(size: outputSize, fps: settings.fps).caps)\""]
    }

    /// From the capture element to raw video in the encoder's format and size.
    private var videoSource: [String] {
        let s = settings
        let size = outputSize
        let toEncoderFormat = ["videoconvert", "video/x-raw,format=\(encoder.inputFormat)"]
        switch source {
        case .test:
            // A scrolling pattern keeps the encoder busy like a real screen;
            // the wall clock lets a person compare host and viewer by eye.
            return [
                "videotestsrc is-live=true pattern=smpte horizontal-speed=4",
                "video/x-raw,width=\(size.width),height=\(size.height),framerate=\(s.fps)/1",
                "clockoverlay time-format=\"%H:%M:%S\" halignment=left valignment=top shaded-background=true font-desc=\"Sans 32\"",
            ] + toEncoderFormat

        case .clock, .busy:
            // busy: snow shows below the code, which covers the top three quarters.
            return [
                "videotestsrc is-live=true pattern=\(source == .busy ? "snow" : "black")",
                "video/x-raw,format=I420,width=\(size.width),height=\(size.height),framerate=\(s.fps)/1",
                // ClockStampProbe paints the capture time on each frame here.
                "identity name=\(Self.clockStampName)",
            ] + toEncoderFormat

        case let .x11(plan):
            var capture = "ximagesrc name=\(Self.sourceName) display-name=\(Self.quoted(plan.display)) show-pointer=true use-damage=false"
            var crop: (right: Int, bottom: Int) = (0, 0)
            switch plan.target {
            case .screen, .monitor:
                // ximagesrc's end coordinates are inclusive. An even-sized
                // region is cut out here; a whole even screen needs none.
                let even = plan.area.size.roundedDownToEven
                if plan.target != .screen || even != plan.area.size || plan.area.x != 0 || plan.area.y != 0 {
                    capture += " startx=\(plan.area.x) starty=\(plan.area.y)"
                        + " endx=\(plan.area.x + even.width - 1) endy=\(plan.area.y + even.height - 1)"
                }
            case let .window(id, _):
                // The whole window, cropped to even afterwards: a window can
                // shrink, and a region reaching past it makes X fail the capture.
                capture += " xid=\(id)"
                crop = (plan.area.width % 2, plan.area.height % 2)
            }
            // ximagesrc captures at the caps' frame rate. No videorate here:
            // it held every frame until the next one came (one frame of
            // latency), and on a busy machine it filled late captures with
            // copies that were encoded on the capture thread, so each
            // capture came later still (scripts/bench-latency --content busy:
            // p50 4.3 s with it, 0.1 s without). The picture stage's
            // drop-only videorate keeps the rate without either.
            return [capture, "video/x-raw,framerate=\(s.fps)/1"]
                + Self.fit(crop: crop, to: size) + toEncoderFormat

        case let .pipewire(plan):
            return Self.pipeWireCapture("path=\(plan.node)", nativeSize: plan.size, settings: s, outputSize: size)
                + toEncoderFormat

        case let .portal(plan):
            // The portal's remote (fd) sees only the granted node; pipewiresrc
            // duplicates the fd, so every pipeline start can use it again.
            return Self.pipeWireCapture("fd=\(plan.cast.pipeWireFD) path=\(plan.node)", nativeSize: plan.size,
                                        settings: s, outputSize: size) + toEncoderFormat
        }
    }

    /// pipewiresrc at a steady rate. keepalive-time resends the last frame
    /// while the screen is still (screen casts only send on damage);
    /// videorate then holds the rate at `fps` however fast the monitor
    /// refreshes (a 144 Hz screen would flood the player). always-copy
    /// releases PipeWire's buffer at once instead of holding it downstream.
    private static func pipeWireCapture(_ target: String, nativeSize: VideoSize?, settings: MediaSettings,
                                        outputSize: VideoSize) -> [String] {
        let keepalive = max(5, 1000 / max(1, settings.fps))
        let capture = "pipewiresrc name=\(sourceName) \(target) keepalive-time=\(keepalive) always-copy=true"
        let crop = nativeSize.map { ($0.width % 2, $0.height % 2) } ?? (0, 0)
        // videorate only drops here (a 144 Hz screen): keepalive-time already
        // resends a still picture, and duplicating would hold each frame
        // back one frame time (see the x11 source).
        return [capture, "videorate drop-only=true", "video/x-raw,framerate=\(settings.fps)/1"]
            + fit(crop: crop, to: outputSize)
    }

    /// Crops odd native sizes to even, then scales to the output size: a
    /// pass-through when they already agree, and it keeps caps fixed if
    /// the window or node changes size mid-share (letterboxed, square pixels).
    private static func fit(crop: (right: Int, bottom: Int), to size: VideoSize) -> [String] {
        var elements: [String] = []
        if crop.right > 0 || crop.bottom > 0 {
            elements.append("videocrop right=\(crop.right) bottom=\(crop.bottom)")
        }
        elements.append("videoscale")
        elements.append("video/x-raw,width=\(size.width),height=\(size.height),pixel-aspect-ratio=1/1")
        return elements
    }

    /// The audio capture element, or nil for a video-only stream.
    private var audioSource: String? {
        switch audio {
        case .none, .unavailable:
            return nil
        case .testTone:
            return "audiotestsrc is-live=true wave=sine freq=440 volume=0.2"
        case let .systemMonitor(device):
            // provide-clock=false: a monitor of an idle sink may deliver
            // nothing, and its clock must not pace the video.
            return "pulsesrc device=\(Self.quoted(device)) client-name=pixelpass provide-clock=false"
        case let .sinkMonitor(sink), let .application(_, sink):
            return Self.sinkCapture(sink)
        }
    }

    /// Records a sink's monitor through PipeWire itself. Measured with
    /// gstreamer1.0-pipewire 0.3.65 on this project's test machine:
    /// - its audio buffers carry no timestamps (only the first gets 0), so
    ///   `do-timestamp=true` stamps them on arrival; AAC packets then jitter
    ///   by about ±1.5 ms around 21.3 ms and stay aligned with the video;
    /// - with unfixed caps (`ANY` downstream) the stream connects and drops
    ///   back to unconnected, so the raw audio caps are spelled out;
    /// - an idle sink still delivers silence (the capture keeps the graph
    ///   running), so the live pipeline is never paced by a silent sink.
    static func sinkCapture(_ sink: String) -> String {
        "pipewiresrc target-object=\(quoted(sink)) client-name=pixelpass do-timestamp=true"
            + " stream-properties=\"props,stream.capture.sink=true\" ! audio/x-raw"
    }

    /// How `PipelineSession` should treat this pipeline's source.
    var sessionOptions: PipelineSession.Options {
        var options = PipelineSession.Options()
        options.stallLimits = .forFrameRate(settings.fps)
        options.encoder = encoder
        switch source {
        case .test:
            break
        case .clock, .busy:
            options.clockStamp = true
        case let .x11(plan):
            var window: UInt64?
            if case let .window(id, _) = plan.target {
                window = id
            }
            options.capture = .x11(display: plan.display, window: window)
        case let .pipewire(plan):
            options.capture = .pipewire(node: plan.node)
        case let .portal(plan):
            options.capture = .pipewire(node: plan.node)
        }
        return options
    }

    /// A gst-launch string value in double quotes.
    static func quoted(_ value: String) -> String {
        "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
