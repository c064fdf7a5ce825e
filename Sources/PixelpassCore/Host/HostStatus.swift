/// A snapshot of a running share for the live status and `stats` events.
public struct HostStatus: Equatable, Sendable {
    public var viewers: [HostViewerStatus]
    /// Bytes queued to all viewers since the share started (never decreases).
    public var bytesSent: Int
    /// Whether the capture pipeline is running (it stops without viewers).
    public var capturing: Bool
    /// The encoder's rate and picture, and what limits them.
    public var encoder: EncoderStatus?

    public init(viewers: [HostViewerStatus], bytesSent: Int, capturing: Bool) {
        self.viewers = viewers
        self.bytesSent = bytesSent
        self.capturing = capturing
    }
}

/// One seated viewer in a `HostStatus`.
public struct HostViewerStatus: Equatable, Sendable {
    public var id: String
    /// What the viewer calls itself (`view --name`), if anything.
    public var name: String?
    public var address: String
    public var path: ConnectionPath
    /// Seconds since it took its seat.
    public var connectedSeconds: Double
    public var roundTripMilliseconds: Double
    /// Bytes queued to it since it joined (never decreases).
    public var bytesSent: Int
    /// Bytes queued or in flight right now: how far behind it is.
    public var lagBytes: Int
    public var keyframeSkips: Int
    /// Live streams it has open (players on its side); 0 = connected, not watching.
    public var streams: Int
    /// What its link takes (bit/s), as the rate controller measured it.
    public var estimatedBitsPerSecond: Double = 0
    /// Its link cannot carry the floor: it gets keyframes only.
    public var belowFloor = false

    public init(id: String, address: String, path: ConnectionPath, connectedSeconds: Double,
                roundTripMilliseconds: Double, bytesSent: Int, lagBytes: Int, keyframeSkips: Int, streams: Int) {
        self.id = id
        self.address = address
        self.path = path
        self.connectedSeconds = connectedSeconds
        self.roundTripMilliseconds = roundTripMilliseconds
        self.bytesSent = bytesSent
        self.lagBytes = lagBytes
        self.keyframeSkips = keyframeSkips
        self.streams = streams
    }
}
