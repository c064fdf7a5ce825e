import PixelpassMedia

/// What the broadcaster runs to get the stream: the capture pipeline in the
/// host, a double that emits chunks on demand in tests. Started, stopped and
/// asked for keyframes off the event loop (they may block for a moment).
protocol BroadcastSource: Sendable {
    /// The gst-launch description, for `-v` logs.
    var launchDescription: String { get }
    func start(onChunk: @escaping @Sendable (MediaChunk) -> Void,
               onFailure: @escaping @Sendable (MediaError) -> Void) throws
    func stop()
    func requestKeyframe()
    /// The encoder's target bitrate, changed while it runs.
    func setVideoBitrate(kbps: Int)
    /// The encoded size and frame rate, changed while it runs.
    func setPicture(_ picture: VideoPicture)
}

extension MediaPipeline: BroadcastSource {}
