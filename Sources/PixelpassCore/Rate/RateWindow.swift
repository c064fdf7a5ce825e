/// Bit/s of a growing byte counter over the last `window` nanoseconds.
struct RateWindow: Sendable {
    let window: UInt64
    /// (time, counter), oldest first, spanning about `window`.
    private var points: [(time: UInt64, bytes: Int)] = []

    init(window: UInt64 = 1_000_000_000) {
        self.window = window
    }

    /// Nanoseconds between the oldest and newest points.
    var span: UInt64 {
        guard let first = points.first, let last = points.last else { return 0 }
        return last.time - first.time
    }

    /// Records the counter's value now; returns the rate over the window
    /// (0 until two points exist).
    mutating func add(_ total: Int, at now: UInt64) -> Double {
        points.append((now, total))
        while points.count > 2, now - points[1].time >= window {
            points.removeFirst()
        }
        guard let first = points.first, now > first.time else { return 0 }
        return Double(total - first.bytes) * 8 / (Double(now - first.time) / 1e9)
    }
}
