/// Bit rates between successive host status samples.
public struct HostRates: Equatable, Sendable {
    public var total: Double = 0
    public var viewers: [String: Double] = [:]

    public init(total: Double = 0, viewers: [String: Double] = [:]) {
        self.total = total
        self.viewers = viewers
    }
}

/// Keeps the previous sample so each status gets rates (bit/s).
struct HostRateTracker {
    private var meter = BitrateMeter<String>()
    private static let totalKey = "\u{0}total"

    mutating func rates(for status: HostStatus, at seconds: Double) -> HostRates {
        var rates = HostRates()
        rates.total = meter.sample(Self.totalKey, bytes: status.bytesSent, at: seconds) ?? 0
        for viewer in status.viewers {
            rates.viewers[viewer.id] = meter.sample(viewer.id, bytes: viewer.bytesSent, at: seconds) ?? 0
        }
        meter.retain(only: Set(status.viewers.map(\.id) + [Self.totalKey]))
        return rates
    }
}
