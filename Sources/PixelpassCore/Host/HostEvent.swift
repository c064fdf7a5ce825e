/// Things that happen to a running share, for status displays and the JSON
/// event stream. Delivered on the host's event loop.
public enum HostEvent: Equatable, Sendable {
    /// A viewer passed the secret check and took a seat; `name` is what it
    /// calls itself (`view --name`), if anything.
    case viewerJoined(id: String, name: String?, address: String, path: ConnectionPath)
    /// With `--approve`: a new viewer waits for the host's answer.
    case approvalRequested(id: String, name: String?, address: String)
    /// The question about this viewer is gone: answered (`allowed`), or it
    /// left while waiting (nil).
    case approvalEnded(id: String, allowed: Bool?)
    /// A seated viewer's connection ended.
    case viewerLeft(id: String, reason: ViewerLeaveReason)
    /// A viewer's packets now come from another address (QUIC migration).
    case pathChanged(id: String, address: String, path: ConnectionPath)
}

/// How packets travel between host and viewer.
public enum ConnectionPath: String, Equatable, Sendable {
    /// Straight between the two peers (LAN, public address, punched NAT).
    case direct
    /// Through a TURN relay.
    case relayed
}

/// Why a viewer left, as shown to the host's user and in JSON events.
public enum ViewerLeaveReason: Equatable, Sendable, CustomStringConvertible {
    /// The viewer closed its connection (quit, Ctrl-C).
    case left
    /// The host's user removed it.
    case kicked
    /// Nothing heard from it within the idle timeout.
    case timedOut
    /// The host stopped sharing.
    case hostEnded
    /// The share was full and its seat went to a newcomer: it had watched
    /// nothing for a while, or had gone silent (crashed).
    case madeRoom
    /// A protocol or network error.
    case failed(String)

    /// Short machine-readable form for JSON.
    public var code: String {
        switch self {
        case .left: return "left"
        case .kicked: return "kicked"
        case .timedOut: return "timed_out"
        case .hostEnded: return "host_ended"
        case .madeRoom: return "made_room"
        case .failed: return "error"
        }
    }

    public var description: String {
        switch self {
        case .left: return "closed its connection"
        case .kicked: return "kicked by the host"
        case .timedOut: return "lost contact (timed out)"
        case .hostEnded: return "the share ended"
        case .madeRoom: return "gave its seat to a new viewer (it was idle or silent)"
        case .failed(let detail): return "connection failed: \(detail)"
        }
    }
}
