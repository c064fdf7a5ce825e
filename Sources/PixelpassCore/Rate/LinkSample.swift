/// One viewer's stream as the host sees it at one sample: what the
/// broadcaster queued and the peer acknowledged, and the QUIC sender's
/// view of the path. Cumulative counters, so a missed sample loses nothing.
struct LinkSample: Equatable, Sendable {
    /// Body bytes the viewer acknowledged since its stream started.
    var acknowledgedBytes: Int
    /// Bytes queued for it and not yet handed to QUIC.
    var unsentBytes: Int
    /// Seconds.
    var smoothedRTT: Double = 0
    var minimumRTT: Double = 0
}
