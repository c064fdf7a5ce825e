/// What the QUIC sender knows about one path (ngtcp2's `ngtcp2_conn_stat`),
/// read by the host's rate controller. Times are in nanoseconds.
public struct QUICPathStatistics: Equatable, Sendable {
    public var smoothedRTT: UInt64
    public var minimumRTT: UInt64
    public var latestRTT: UInt64
    public var congestionWindow: UInt64
    public var bytesInFlight: UInt64
    /// Bytes per second delivered, from ngtcp2's rate sampler; it reads low
    /// while the sender has less to send than the path could carry.
    public var deliveryRate: UInt64

    public init(smoothedRTT: UInt64 = 0, minimumRTT: UInt64 = 0, latestRTT: UInt64 = 0, congestionWindow: UInt64 = 0,
                bytesInFlight: UInt64 = 0, deliveryRate: UInt64 = 0) {
        self.smoothedRTT = smoothedRTT
        self.minimumRTT = minimumRTT
        self.latestRTT = latestRTT
        self.congestionWindow = congestionWindow
        self.bytesInFlight = bytesInFlight
        self.deliveryRate = deliveryRate
    }
}
