import Foundation

/// Hands portal signals from the bus thread to the thread running the
/// handshake, which waits for them with a deadline.
// @unchecked Sendable: `queue` is guarded by `condition`, an NSCondition
// because the handshake thread must block on it with a deadline (Mutex cannot wait).
final class PortalInbox: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [PortalSignal] = []

    func post(_ signal: PortalSignal) {
        condition.lock()
        queue.append(signal)
        condition.signal()
        condition.unlock()
    }

    /// The next signal, or nil when `deadline` passes first.
    func next(before deadline: Date) -> PortalSignal? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty {
            guard condition.wait(until: deadline) else { return nil }
        }
        return queue.removeFirst()
    }
}
