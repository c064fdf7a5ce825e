/// Which new connections a server accepts. Pure: the endpoint asks before
/// it creates a connection for an Initial, and reports handshakes that
/// complete and connections that close.
///
/// An Initial costs the sender nothing, but a connection costs the host
/// about 150 KB and a millisecond of its one event loop, for up to the
/// handshake timeout. So when many handshakes are in progress, a new
/// client is first sent a Retry (stateless) and gets a connection only when
/// it comes back with the token, which a spoofed source never does; and
/// handshakes in progress are capped per source and overall, and so are
/// open connections; an Initial over a cap is dropped without an answer
/// (no state, nothing to amplify). Connections that are
/// already open never notice a flood: their packets are routed by
/// connection id before this is asked.
struct ConnectionAdmission {
    struct Limits: Equatable {
        var pendingPerSource = 8
        var pendingTotal = 64
        var openPerSource = 32
        var openTotal = 512
        /// A flood this large leaves freed memory with the allocator.
        var floodSize = 32
        /// With this many handshakes in progress, a new client must first
        /// prove its address with a Retry round trip.
        var retryAbove = 16
    }

    enum Verdict: Equatable {
        case accept
        /// Answer with a Retry: stateless, so a spoofed flood costs nothing.
        case retry
        /// Drop unanswered.
        case refuse
    }

    /// Where connections come from: an IPv4 address, or an IPv6 /64 (one
    /// host has a whole /64 to send from).
    struct Source: Hashable {
        let prefix: [UInt8]
    }

    let limits: Limits
    private var pending: [Source: Int] = [:]
    private var open: [Source: Int] = [:]
    private(set) var pendingTotal = 0
    private(set) var openTotal = 0
    /// Initials answered with a Retry, and dropped, since the last `takeRefusals()`.
    private var retriedForLog = 0
    private var refusedForLog = 0
    /// Since the last quiet moment: the most handshakes in progress, and
    /// whether a cap was hit.
    private var peakPending = 0
    private var capWasHit = false

    init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// An Initial for a new connection arrived from `source`, `validated`
    /// if it came back with our Retry token. An accepted one counts as a
    /// handshake in progress.
    mutating func admit(_ source: Source, validated: Bool) -> Verdict {
        if !validated && pendingTotal >= limits.retryAbove {
            capWasHit = true
            retriedForLog += 1
            return .retry
        }
        return admit(source) ? .accept : .refuse
    }

    /// The caps alone: true to accept.
    mutating func admit(_ source: Source) -> Bool {
        guard pending[source, default: 0] < limits.pendingPerSource, pendingTotal < limits.pendingTotal,
              open[source, default: 0] < limits.openPerSource, openTotal < limits.openTotal else {
            refusedForLog += 1
            capWasHit = true
            return false
        }
        pending[source, default: 0] += 1
        open[source, default: 0] += 1
        pendingTotal += 1
        openTotal += 1
        peakPending = max(peakPending, pendingTotal)
        return true
    }

    mutating func handshakeCompleted(_ source: Source) {
        endPending(source)
    }

    /// A connection this admitted closed; `completed` if its handshake had.
    /// True once a flood has passed: time to give memory back.
    mutating func closed(_ source: Source, completed: Bool) -> Bool {
        if !completed { endPending(source) }
        if Self.decrement(&open, source) { openTotal -= 1 }
        guard pendingTotal == 0, capWasHit || peakPending >= limits.floodSize else { return false }
        peakPending = 0
        capWasHit = false
        return true
    }

    /// How many Initials were answered with a Retry, and dropped, since the
    /// last call (for the log).
    mutating func takeRefusals() -> (retried: Int, dropped: Int) {
        defer { (retriedForLog, refusedForLog) = (0, 0) }
        return (retriedForLog, refusedForLog)
    }

    private mutating func endPending(_ source: Source) {
        if Self.decrement(&pending, source) { pendingTotal -= 1 }
    }

    /// False if there was nothing to take away.
    private static func decrement(_ counts: inout [Source: Int], _ source: Source) -> Bool {
        guard let count = counts[source] else { return false }
        counts[source] = count > 1 ? count - 1 : nil
        return true
    }
}
