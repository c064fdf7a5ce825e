import NIOCore

/// What the viewer's local relay allows at once. Any local process can
/// connect, so each of these is a bound on what it can hold.
struct RelayLimits: Equatable, Sendable {
    /// From accept to a complete request head (slowloris gets no longer).
    var headerTimeout: TimeAmount = .seconds(5)
    /// A connection that is not streaming (waiting for the host's answer,
    /// or for a short answer to be read) and shows no progress this long.
    var idleTimeout: TimeAmount = .seconds(10)
    /// Open player connections, streaming or not.
    var maxConnections = 32
    /// Stream requests to the host at once: well under the host's per-viewer
    /// stream cap, so local players can never starve the viewer's own
    /// requests (info, reports) or other viewers of the host.
    var maxStreams = 4

    init() {}
}

/// Counts the relay's connections and its streams to the host and says
/// which new ones fit. No I/O: the relay asks before it accepts or opens,
/// and reports when one ends.
struct RelayAdmission: Equatable, Sendable {
    let limits: RelayLimits
    private(set) var connections = 0
    private(set) var streams = 0

    init(limits: RelayLimits) {
        self.limits = limits
    }

    /// A new connection: true when it may stay (and is now counted).
    mutating func admitConnection() -> Bool {
        guard connections < limits.maxConnections else { return false }
        connections += 1
        return true
    }

    /// An admitted connection closed.
    mutating func connectionClosed() {
        precondition(connections > 0, "a connection closed that was never admitted")
        connections -= 1
    }

    /// A player asks for the stream: true when a request to the host may
    /// be opened (and is now counted).
    mutating func admitStream() -> Bool {
        guard streams < limits.maxStreams else { return false }
        streams += 1
        return true
    }

    /// An admitted stream's connection closed.
    mutating func streamEnded() {
        precondition(streams > 0, "a stream ended that was never admitted")
        streams -= 1
    }
}
