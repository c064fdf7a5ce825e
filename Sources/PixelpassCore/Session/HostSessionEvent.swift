import PixelpassMedia
import PixelpassTicket

/// Everything a running share tells its front ends, in order, on one stream:
/// the text log, the JSON lines and the menu's status screen all render
/// these and nothing else (README "JSON events" names most of them).
public enum HostSessionEvent: Equatable, Sendable {
    /// Start-up has begun; a portal source says what the desktop will ask.
    case preparing(portalNotice: String?)
    /// The ticket a friend pastes; always before `listening`.
    case ticket(HostTicket)
    /// The host's user asked for a new ticket: the old one no longer lets
    /// anyone in (viewers watching stay).
    case ticketReplaced(HostTicket)
    /// Serving: where, what is captured and how.
    case listening(HostListening)
    /// A viewer passed the secret check and took a seat.
    case viewerJoined(id: String, name: String?, address: String, path: ConnectionPath)
    /// With `--approve`: a new viewer waits for `HostSession.answer`.
    case approvalRequested(id: String, name: String?, address: String)
    /// Answered, or the viewer left while waiting (`allowed` nil).
    case approvalEnded(id: String, allowed: Bool?)
    /// A seated viewer's connection ended.
    case viewerLeft(id: String, reason: ViewerLeaveReason)
    /// A viewer's packets now come from another address (QUIC migration).
    case pathChanged(id: String, address: String, path: ConnectionPath)
    /// Once a second while serving.
    case stats(HostStatus, HostRates)
    /// Why the share could not start or cannot go on; `ended` follows.
    case error(HostSessionError)
    /// Viewers are being told the share ends (after `stop()` or a lost source).
    case stopping(HostSessionEnd)
    /// Always last.
    case ended(HostSessionEnd)

    init(_ event: HostEvent) {
        switch event {
        case .viewerJoined(let id, let name, let address, let path):
            self = .viewerJoined(id: id, name: name, address: address, path: path)
        case .approvalRequested(let id, let name, let address): self = .approvalRequested(id: id, name: name, address: address)
        case .approvalEnded(let id, let allowed): self = .approvalEnded(id: id, allowed: allowed)
        case .viewerLeft(let id, let reason): self = .viewerLeft(id: id, reason: reason)
        case .pathChanged(let id, let address, let path): self = .pathChanged(id: id, address: address, path: path)
        }
    }
}

/// The ticket line, the certificate it pins, and whether it stays valid.
public struct HostTicket: Equatable, Sendable {
    public var text: String
    /// SHA-256 of the host certificate, hex.
    public var fingerprint: String
    /// The key and secret are kept (`--keep-ticket`): the ticket works for later shares.
    public var kept: Bool

    public init(text: String, fingerprint: String, kept: Bool = false) {
        self.text = text
        self.fingerprint = fingerprint
        self.kept = kept
    }
}

/// What a share serves, once it serves.
public struct HostListening: Equatable, Sendable {
    /// "IP:PORT" as in the ticket.
    public var addresses: [String]
    /// Addresses STUN servers saw.
    public var reflexive: [String]
    /// The host's relayed address and the TURN server it is on.
    public var relay: (relayed: String, server: String)?
    /// Why the configured relay is not in the ticket, if it is not.
    public var relayProblem: String?
    /// Source, size and encoder in one line.
    public var capture: String
    public var encoder: String
    public var audio: AudioPlan
    public var maxViewers: Int
    /// Every address is loopback: the ticket works on this machine only.
    public var loopbackOnly: Bool {
        !addresses.isEmpty && addresses.allSatisfy { $0.hasPrefix("127.") || $0.hasPrefix("[::1]") }
            && reflexive.isEmpty && relay == nil
    }

    public static func == (lhs: HostListening, rhs: HostListening) -> Bool {
        lhs.addresses == rhs.addresses && lhs.reflexive == rhs.reflexive
            && lhs.relay?.relayed == rhs.relay?.relayed && lhs.relay?.server == rhs.relay?.server
            && lhs.relayProblem == rhs.relayProblem && lhs.capture == rhs.capture && lhs.encoder == rhs.encoder
            && lhs.audio == rhs.audio && lhs.maxViewers == rhs.maxViewers
    }
}

/// How a share ended.
public enum HostSessionEnd: Equatable, Sendable {
    /// `stop()`: Ctrl-C, SIGTERM, or q in the menu.
    case stopped
    /// The captured screen, window or node went away (or the desktop ended the cast).
    case sourceLost(String)
    /// It could not start; the `error` event before says why.
    case failed(HostSessionError)

    /// The `reason` of the JSON `ended` event.
    public var code: String {
        switch self {
        case .stopped: return "interrupted"
        case .sourceLost: return "source_lost"
        case .failed: return "error"
        }
    }
}
