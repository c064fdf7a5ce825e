import Foundation

/// What the host asks the media pipeline for.
public struct MediaSettings: Sendable, Equatable {
    public var source: CaptureSource = .test
    public var encoder: EncoderChoice = .automatic(allowHardware: true)
    /// The output size for `.test` and `.clock`. For `.x11` and `.pipewire`
    /// only when `scaleToSize` is true; otherwise those keep their native
    /// size, rounded down to even numbers.
    public var width: Int = 1280, height: Int = 720
    public var scaleToSize: Bool = false
    public var fps: Int = 30
    /// Target video bitrate in kbit/s.
    public var bitrateKbps: Int = 4000
    /// `.test` (and `.clock`) carry a test tone, the other sources the
    /// system audio (the default sink's monitor); false means video only.
    public var audio: Bool = true
    /// Only this application's audio, from the sink `AppAudioRouter` made;
    /// nil means the system audio.
    public var application: ApplicationAudio?

    public init(source: CaptureSource = .test, encoder: EncoderChoice = .automatic(allowHardware: true),
                width: Int = 1280, height: Int = 720, scaleToSize: Bool = false, fps: Int = 30,
                bitrateKbps: Int = 4000, audio: Bool = true) {
        self.source = source
        self.encoder = encoder
        self.width = width
        self.height = height
        self.scaleToSize = scaleToSize
        self.fps = fps
        self.bitrateKbps = bitrateKbps
        self.audio = audio
    }

    /// A keyframe every two seconds bounds how long a viewer that joins
    /// without asking for a keyframe waits for its first picture.
    var keyframeInterval: Int { max(1, fps * 2) }

    /// Checks the ranges GStreamer and x264 accept, so a bad setting fails
    /// at `MediaPipeline.init` with a clear message instead of a caps error.
    func validate() throws {
        // Even sizes: I420 subsamples chroma by two in both directions.
        guard (16...7680).contains(width), width % 2 == 0,
              (16...4320).contains(height), height % 2 == 0 else {
            throw MediaError.invalidSettings("The video size \(width)x\(height) is not supported; choose even dimensions between 16x16 and 7680x4320.")
        }
        guard (1...240).contains(fps) else {
            throw MediaError.invalidSettings("The frame rate \(fps) is not supported; choose between 1 and 240 frames per second.")
        }
        guard (100...100_000).contains(bitrateKbps) else {
            throw MediaError.invalidSettings("The bitrate \(bitrateKbps) kbit/s is not supported; choose between 100 and 100000 kbit/s.")
        }
        switch source {
        case let .x11(capture):
            switch capture.target {
            case let .monitor(name) where name.trimmingCharacters(in: .whitespaces).isEmpty:
                throw MediaError.invalidSettings("The monitor name is empty; give a name that 'xrandr --listmonitors' shows.")
            case let .windowTitle(title) where title.isEmpty:
                throw MediaError.invalidSettings("The window title is empty; give part of the title of the window to share.")
            case .screen, .monitor, .windowID, .windowTitle:
                break
            }
        case .test, .clock, .busy, .pipewire, .portal:
            break
        }
    }
}

/// `--app`: which application, and the pixelpass sink its streams feed.
public struct ApplicationAudio: Sendable, Equatable {
    public var name: String
    public var sink: String

    public init(name: String, sink: String) {
        self.name = name
        self.sink = sink
    }
}
