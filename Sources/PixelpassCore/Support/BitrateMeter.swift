/// Turns ever-growing byte counters into bits per second between two
/// samples. Pure: the caller supplies the time.
public struct BitrateMeter<Key: Hashable>: Sendable where Key: Sendable {
    private var last: [Key: (seconds: Double, bytes: Int)] = [:]

    public init() {}

    /// Records `bytes` (a running total) at `seconds`; returns the rate since
    /// the previous sample for `key`, or nil for the first sample.
    public mutating func sample(_ key: Key, bytes: Int, at seconds: Double) -> Double? {
        defer { last[key] = (seconds, bytes) }
        guard let previous = last[key], seconds > previous.seconds else { return nil }
        let delta = max(0, bytes - previous.bytes)
        return Double(delta * 8) / (seconds - previous.seconds)
    }

    /// Forgets keys not in `keep` (viewers that left).
    public mutating func retain(only keep: Set<Key>) {
        last = last.filter { keep.contains($0.key) }
    }
}
