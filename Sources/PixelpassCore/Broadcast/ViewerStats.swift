/// Per-stream counters the host logs and shows.
public struct ViewerStats: Sendable, Equatable {
    /// The viewer's short id (certificate fingerprint).
    public var viewerID: String
    /// Monotonic time the stream started (ns).
    public var since: UInt64
    /// Bytes queued to the viewer so far.
    public var bytesSent = 0
    /// Times the viewer fell behind and skipped to a keyframe.
    public var keyframeSkips = 0
    /// Bytes queued or in flight right now: how far behind it is.
    public var lagBytes = 0
    /// What its link takes (bit/s): measured when it was full, else the
    /// best rate it has shown.
    public var estimatedBitsPerSecond: Double = 0
    /// Its link cannot carry the floor: it gets keyframe-skipped pictures.
    public var belowFloor = false

    public init(viewerID: String, since: UInt64) {
        self.viewerID = viewerID
        self.since = since
    }
}
