/// Everything a watch tells its front ends, in order, on one stream (README
/// "JSON events", viewer rows); `ended` is always last.
public enum ViewSessionEvent: Equatable, Sendable {
    /// Trying the ticket's addresses ("IP:PORT, …").
    case connecting(target: String)
    /// Connected and authorised; the stream is served at `url`. `address` and
    /// `path` say how the host is reached.
    case connected(url: String, address: String, path: ConnectionPath)
    /// The path to the host moved (relay to direct).
    case pathChanged(address: String, path: ConnectionPath)
    case playerOpened(PlayerChoice, LaunchedPlayer)
    /// No player was started: `notRequested` for `none`, or why it failed.
    /// `url` is the stream, for a command the user can paste instead.
    case playerFailed(PlayerChoice, PlayerLaunchError, url: String)
    /// The player this session opened has exited.
    case playerClosed(PlayerChoice)
    /// The host changed the picture it sends, or began or stopped sending
    /// this viewer keyframes only (its link is below the host's floor).
    case hostVideo(HostVideoReport)
    /// Once a second while connected; `bitrate` in bit/s.
    case stats(ViewerStatus, bitrate: Double)
    /// Why the watch could not start; `ended` follows.
    case error(ViewSessionError)
    case ended(ViewSessionEnd)
}

/// How a watch ended.
public enum ViewSessionEnd: Equatable, Sendable {
    /// `stop()`: Ctrl-C, or leaving the menu's screen.
    case interrupted
    /// The host stopped sharing.
    case hostEnded
    /// The host's user removed this viewer.
    case removed
    /// Nothing heard from the host within the idle timeout.
    case lostContact(String)
    /// The connection was closed on this side for another reason.
    case closed
    /// It could not start; the `error` event before says why.
    case failed(ViewSessionError)

    /// The `reason` of the JSON `ended` event.
    public var code: String {
        switch self {
        case .interrupted: return "interrupted"
        case .hostEnded: return "host_ended"
        case .removed: return "removed"
        case .lostContact: return "lost_contact"
        case .closed: return "closed"
        case .failed: return "error"
        }
    }

    init(_ end: ViewerEnd) {
        switch end {
        case .hostEnded: self = .hostEnded
        case .removedByHost: self = .removed
        case .lostContact(let detail): self = .lostContact(detail)
        case .local: self = .closed
        }
    }
}

/// Why a watch could not start: the viewer's own typed errors, or anything
/// else (its text), for one exit-code mapping on the command line.
public enum ViewSessionError: Error, Equatable, Sendable, CustomStringConvertible {
    case viewer(ViewerError)
    case other(String)

    init(_ error: Error) {
        if let viewerError = error as? ViewerError {
            self = .viewer(viewerError)
        } else {
            self = .other("\(error)")
        }
    }

    public var description: String {
        switch self {
        case .viewer(let error): return error.description
        case .other(let detail): return detail
        }
    }
}
