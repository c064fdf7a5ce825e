/// Request retransmission over UDP (RFC 8489 §6.2.1): send, wait RTO, resend
/// with the wait doubling each time, up to Rc sends; after the last send wait
/// Rm × RTO more, then give up. With the defaults (500 ms, 7, 16) requests go
/// out at 0, 0.5, 1.5, 3.5, 7.5, 15.5 and 31.5 s and the transaction fails at 39.5 s.
public struct STUNRetransmission: Hashable, Sendable {
    /// Initial retransmission timeout, nanoseconds.
    public var initialRTO: UInt64
    /// Rc: how many times a request is sent in all.
    public var maxRequests: Int
    /// Rm: multiple of the initial RTO to wait after the last send.
    public var finalWaitMultiplier: UInt64

    public init(initialRTO: UInt64 = 500_000_000, maxRequests: Int = 7, finalWaitMultiplier: UInt64 = 16) {
        precondition(maxRequests >= 1 && initialRTO > 0)
        self.initialRTO = initialRTO
        self.maxRequests = maxRequests
        self.finalWaitMultiplier = finalWaitMultiplier
    }

    public static let rfc8489 = STUNRetransmission()

    /// Over TCP or TLS (RFC 8489 §6.2.2): the stream already retransmits, so
    /// a request is sent once and fails after Ti = 39.5 s without an answer.
    public static let reliable = STUNRetransmission(initialRTO: 39_500_000_000, maxRequests: 1, finalWaitMultiplier: 1)
}

/// One outstanding request's clock: when to resend and when to give up.
struct RetransmissionTimer: Hashable, Sendable {
    let policy: STUNRetransmission
    private(set) var sends = 1
    private var rto: UInt64
    /// When something is next due: a resend, or (after the last send) the timeout.
    private(set) var nextAt: UInt64

    enum Outcome: Hashable { case wait, resend, timedOut }

    /// Starts the clock for a request first sent at `now`.
    init(policy: STUNRetransmission, now: UInt64) {
        self.policy = policy
        self.rto = policy.initialRTO
        self.nextAt = now + (policy.maxRequests > 1 ? policy.initialRTO : policy.finalWaitMultiplier * policy.initialRTO)
    }

    mutating func fire(now: UInt64) -> Outcome {
        guard now >= nextAt else { return .wait }
        guard sends < policy.maxRequests else { return .timedOut }
        sends += 1
        if sends == policy.maxRequests {
            nextAt += policy.finalWaitMultiplier * policy.initialRTO
        } else {
            rto *= 2
            nextAt += rto
        }
        return .resend
    }
}
