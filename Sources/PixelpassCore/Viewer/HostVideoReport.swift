import Foundation

/// What the host says about the video it sends this viewer (`/v1/info`'s
/// `rate` and `you`): the encoder's rate and picture, and whether this
/// viewer's link is below the host's floor, so it gets keyframes only.
public struct HostVideoReport: Equatable, Sendable {
    public var bitrateKbps: Int
    public var width: Int
    public var height: Int
    public var fps: Int
    public var keyframesOnly: Bool

    public init(bitrateKbps: Int, width: Int, height: Int, fps: Int, keyframesOnly: Bool) {
        self.bitrateKbps = bitrateKbps
        self.width = width
        self.height = height
        self.fps = fps
        self.keyframesOnly = keyframesOnly
    }

    /// Reads `/v1/info`'s body; nil when it has no `rate` (an older host).
    init?(infoJSON body: [UInt8]) {
        struct Info: Decodable {
            struct Video: Decodable {
                var bitrate_kbps: Int
                var width: Int
                var height: Int
                var fps: Int
            }
            struct You: Decodable {
                var keyframes_only: Bool
            }
            var rate: Video?
            var you: You?
        }
        guard let info = try? JSONDecoder().decode(Info.self, from: Data(body)), let video = info.rate else { return nil }
        self.init(bitrateKbps: video.bitrate_kbps, width: video.width, height: video.height, fps: video.fps,
                  keyframesOnly: info.you?.keyframes_only ?? false)
    }

    /// Whether this report differs from `earlier` in what a person watching
    /// notices: the picture, or keyframes only. (The rate moves every
    /// second while the host adapts; that alone is not news.)
    public func changesWhatIsSeen(since earlier: HostVideoReport?) -> Bool {
        guard let earlier else { return true }
        return (width, height, fps, keyframesOnly) != (earlier.width, earlier.height, earlier.fps, earlier.keyframesOnly)
    }

    /// "1280x720 at 30 fps, 2400 kbit/s".
    public var summary: String { "\(width)x\(height) at \(fps) fps, \(bitrateKbps) kbit/s" }
}
