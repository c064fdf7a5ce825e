/// The life of one share, without I/O: the driver (`HostSession`) feeds in
/// what happened and performs the action that comes back. A stop may come
/// at any point: while the media is resolved (the desktop's dialog may be
/// up for a long time) the share ends at once and the late media is closed;
/// while the socket is bound it waits the moment that takes, then shuts down
/// properly so viewers and the relay are told.
struct HostSessionMachine: Equatable {
    enum State: Equatable {
        case idle
        /// Capture source, encoder and audio are being decided (off the event loop).
        case resolving
        /// Binding the socket and gathering candidates; `stopRequested` remembers a stop.
        case starting(stopRequested: Bool)
        case running
        case stopping(HostSessionEnd)
        case ended
    }

    enum Action: Equatable {
        /// Nothing to do.
        case none
        case resolveMedia
        case startHost
        /// Emit `ticket` and `listening`, begin the stats.
        case announce
        /// Emit `error` (if any) and `stopping`, shut the host down, then feed `shutdownFinished`.
        case shutDown(error: HostSessionError?, end: HostSessionEnd)
        /// Emit `error` (if any) and `ended`; `closeMedia`: the resolved media is ours to close.
        case finish(error: HostSessionError?, end: HostSessionEnd, closeMedia: Bool)
        /// Resolution finished after the share already ended: close what it
        /// opened (media, application sink), say nothing.
        case releaseLateStart
    }

    private(set) var state: State = .idle

    var isRunning: Bool { state == .running }

    mutating func start() -> Action {
        guard state == .idle else { return .none }
        state = .resolving
        return .resolveMedia
    }

    mutating func mediaResolved() -> Action {
        switch state {
        case .resolving:
            state = .starting(stopRequested: false)
            return .startHost
        case .ended:
            return .releaseLateStart
        case .idle, .starting, .running, .stopping:
            return .none
        }
    }

    mutating func mediaFailed(_ error: HostSessionError) -> Action {
        switch state {
        case .resolving:
            state = .ended
            return .finish(error: error, end: .failed(error), closeMedia: false)
        case .ended:
            return .releaseLateStart
        case .idle, .starting, .running, .stopping:
            return .none
        }
    }

    mutating func hostStarted() -> Action {
        switch state {
        case .starting(stopRequested: false):
            state = .running
            return .announce
        case .starting(stopRequested: true):
            state = .stopping(.stopped)
            return .shutDown(error: nil, end: .stopped)
        case .idle, .resolving, .running, .stopping, .ended:
            return .none
        }
    }

    mutating func hostFailed(_ error: HostSessionError) -> Action {
        switch state {
        case .starting(let stopRequested):
            state = .ended
            // A user who already asked to stop gets the stop, not a failure.
            return stopRequested ? .finish(error: nil, end: .stopped, closeMedia: true)
                                 : .finish(error: error, end: .failed(error), closeMedia: true)
        case .idle, .resolving, .running, .stopping, .ended:
            return .none
        }
    }

    mutating func stop() -> Action {
        switch state {
        case .idle, .resolving:
            state = .ended
            return .finish(error: nil, end: .stopped, closeMedia: false)
        case .starting:
            state = .starting(stopRequested: true)
            return .none
        case .running:
            state = .stopping(.stopped)
            return .shutDown(error: nil, end: .stopped)
        case .stopping, .ended:
            return .none
        }
    }

    mutating func sourceLost(_ reason: String) -> Action {
        switch state {
        case .running:
            state = .stopping(.sourceLost(reason))
            return .shutDown(error: .sourceLost(reason), end: .sourceLost(reason))
        case .idle, .resolving, .starting, .stopping, .ended:
            return .none
        }
    }

    mutating func shutdownFinished() -> Action {
        switch state {
        case .stopping(let end):
            state = .ended
            return .finish(error: nil, end: end, closeMedia: false)
        case .idle, .resolving, .starting, .running, .ended:
            return .none
        }
    }
}
