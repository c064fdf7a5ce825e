import NIOCore

/// When one relay connection must be closed for making no progress. Time
/// comes in as arguments, so tests need no sleeping.
///
/// A connection first has `headerTimeout` in all to send its request head;
/// bytes trickling in do not extend it (that is slowloris). Once answered,
/// it may sit idle for `idleTimeout` (a host that never answers, a client
/// that never reads a short reply). A streaming connection has no deadline:
/// a paused player is a real player, and QUIC back-pressure bounds it.
struct RelayConnectionClock: Equatable, Sendable {
    enum Phase: Equatable, Sendable {
        case awaitingHead
        case answering
        case streaming
    }

    let limits: RelayLimits
    private(set) var phase: Phase = .awaitingHead
    private let opened: NIODeadline
    private var lastProgress: NIODeadline

    init(openedAt now: NIODeadline, limits: RelayLimits) {
        self.limits = limits
        opened = now
        lastProgress = now
    }

    /// The request head is complete.
    mutating func headReceived(at now: NIODeadline) {
        guard phase == .awaitingHead else { return }
        phase = .answering
        lastProgress = now
    }

    /// The host answered 200: the body is the live stream from now on.
    mutating func streamStarted() {
        phase = .streaming
    }

    /// Something moved (an answer from the host, bytes written).
    mutating func progressed(at now: NIODeadline) {
        lastProgress = max(lastProgress, now)
    }

    /// When to close the connection if nothing changes; nil: never.
    var deadline: NIODeadline? {
        switch phase {
        case .awaitingHead: return opened + limits.headerTimeout
        case .answering: return lastProgress + limits.idleTimeout
        case .streaming: return nil
        }
    }

    func hasExpired(at now: NIODeadline) -> Bool {
        guard let deadline else { return false }
        return now >= deadline
    }
}
