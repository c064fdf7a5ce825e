/// At most `limit` sends in any window of one second.
struct RateLimiter: Hashable, Sendable {
    static let window: UInt64 = 1_000_000_000

    let limit: Int
    /// Send times within the last window, oldest first.
    private var recent: [UInt64] = []

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    mutating func allows(now: UInt64) -> Bool {
        forget(now: now)
        return recent.count < limit
    }

    mutating func record(now: UInt64) {
        recent.append(now)
    }

    /// When the next send will be allowed, if it is not now.
    mutating func nextSlot(now: UInt64) -> UInt64? {
        forget(now: now)
        guard recent.count >= limit else { return nil }
        return recent[recent.count - limit] + RateLimiter.window
    }

    private mutating func forget(now: UInt64) {
        let firstKept = recent.firstIndex { $0 + RateLimiter.window > now } ?? recent.endIndex
        recent.removeFirst(firstKept)
    }
}
