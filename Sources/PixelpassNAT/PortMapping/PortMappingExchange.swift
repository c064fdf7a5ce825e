/// One request/response exchange with a router over UDP: send, resend after
/// 250 ms with the wait doubling (RFC 6886 §3.1; RFC 6887 §8.1.1 schedules
/// are far longer, but a ticket cannot wait), give up at a deadline.
struct PortMappingExchange: Hashable, Sendable {
    private(set) var sends = 1
    private var rto: UInt64
    private var nextAt: UInt64
    let deadlineAt: UInt64

    enum Outcome: Hashable { case wait, resend, timedOut }

    init(initialRTO: UInt64, deadline: UInt64, now: UInt64) {
        rto = initialRTO
        nextAt = now + initialRTO
        deadlineAt = now + deadline
    }

    /// The next time `fire` has something to do.
    var dueAt: UInt64 { min(nextAt, deadlineAt) }

    mutating func fire(now: UInt64) -> Outcome {
        if now >= deadlineAt { return .timedOut }
        guard now >= nextAt else { return .wait }
        sends += 1
        rto *= 2
        nextAt += rto
        return .resend
    }
}
