/// The life of one watch, without I/O (see `HostSessionMachine`). A stop
/// while connecting ends at once (the connection attempt may run for
/// seconds); a connection that arrives afterwards is closed unannounced.
struct ViewSessionMachine: Equatable {
    enum State: Equatable {
        case idle
        /// `endedEarly`: the connection ended before it was announced.
        case connecting(endedEarly: ViewSessionEnd?)
        case connected
        case closing(ViewSessionEnd)
        case ended
    }

    enum Action: Equatable {
        case none
        case connect
        /// Emit `connected`, open the player, begin the stats.
        case announce
        /// Close the viewer, then feed `closed`.
        case close
        /// Emit `error` (if any) and `ended`.
        case finish(error: ViewSessionError?, end: ViewSessionEnd)
        /// A connection made after the watch ended: close it, say nothing.
        case discard
    }

    private(set) var state: State = .idle

    var isConnected: Bool { state == .connected }

    mutating func start() -> Action {
        guard state == .idle else { return .none }
        state = .connecting(endedEarly: nil)
        return .connect
    }

    mutating func connectionMade() -> Action {
        switch state {
        case .connecting(endedEarly: nil):
            state = .connected
            return .announce
        case .connecting(endedEarly: let end?):
            state = .closing(end)
            return .close
        case .ended:
            return .discard
        case .idle, .connected, .closing:
            return .none
        }
    }

    mutating func connectionFailed(_ error: ViewSessionError) -> Action {
        switch state {
        case .connecting:
            state = .ended
            return .finish(error: error, end: .failed(error))
        case .idle, .connected, .closing, .ended:
            return .none
        }
    }

    /// The connection ended by itself (host, timeout, local close).
    mutating func connectionEnded(_ end: ViewSessionEnd) -> Action {
        switch state {
        case .connecting(endedEarly: nil):
            state = .connecting(endedEarly: end)
            return .none
        case .connected:
            state = .closing(end)
            return .close
        case .idle, .connecting, .closing, .ended:
            return .none
        }
    }

    mutating func stop() -> Action {
        switch state {
        case .idle, .connecting:
            state = .ended
            return .finish(error: nil, end: .interrupted)
        case .connected:
            state = .closing(.interrupted)
            return .close
        case .closing, .ended:
            return .none
        }
    }

    mutating func closed() -> Action {
        switch state {
        case .closing(let end):
            state = .ended
            return .finish(error: nil, end: end)
        case .idle, .connecting, .connected, .ended:
            return .none
        }
    }
}
