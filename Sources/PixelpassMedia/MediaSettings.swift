/// What the host asks the encoder for. The capture source is a test pattern
/// for now; real capture sources will add their own settings.
public struct MediaSettings: Sendable, Equatable {
    public var width: Int = 1280, height: Int = 720, fps: Int = 30
    /// Target video bitrate in kbit/s.
    public var bitrateKbps: Int = 4000
    /// When false the stream carries video only.
    public var audio: Bool = true

    public init(width: Int = 1280, height: Int = 720, fps: Int = 30, bitrateKbps: Int = 4000, audio: Bool = true) {
        self.width = width
        self.height = height
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
    }
}
