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
    /// Open connections, streaming or not.
    private(set) var connections: RelaySlots
    /// Streams to the host.
    private(set) var streams: RelaySlots

    init(limits: RelayLimits) {
        connections = RelaySlots(limit: limits.maxConnections)
        streams = RelaySlots(limit: limits.maxStreams)
    }

    /// A new connection: true when it may stay (and is now counted).
    mutating func admitConnection() -> Bool { connections.take() }
    /// An admitted connection closed.
    mutating func connectionClosed() { connections.give() }
    /// A player asks for the stream: true when a request to the host may
    /// be opened (and is now counted).
    mutating func admitStream() -> Bool { streams.take() }
    /// An admitted stream's connection closed.
    mutating func streamEnded() { streams.give() }
}

/// A count that may not pass its limit.
struct RelaySlots: Equatable, Sendable {
    let limit: Int
    private(set) var taken = 0

    init(limit: Int) {
        self.limit = limit
    }

    /// True when one more fits (it is now counted).
    mutating func take() -> Bool {
        guard taken < limit else { return false }
        taken += 1
        return true
    }

    mutating func give() {
        precondition(taken > 0, "a slot given back that was never taken")
        taken -= 1
    }
}
