import NIOCore
import PixelpassMedia

public struct HostConfiguration {
    /// UDP address to listen on; port 0 picks a free one.
    public var bind: SocketAddress
    public var media: MediaSettings
    /// How long the pipeline keeps running after the last viewer leaves.
    public var gracePeriod: Double = 3
    public var maxViewers: Int = 4
    /// Unsent bytes a viewer may owe before it skips to the next keyframe.
    public var maxBacklogBytes: Int = 4 * 1024 * 1024

    public init(bind: SocketAddress, media: MediaSettings) {
        self.bind = bind
        self.media = media
    }
}
