/// Why a QUIC connection ended, in terms a user can act on.
public enum QUICCloseReason: Equatable, CustomStringConvertible, Sendable {
    /// We closed it.
    case local
    /// The peer sent CONNECTION_CLOSE; `applicationCode` is its HTTP/3 error
    /// code when it closed at the application level (nil: a transport error).
    case peerClosed(applicationCode: UInt64?)
    /// Nothing heard from the peer within the idle timeout.
    case idleTimeout
    /// The handshake did not finish in time (nothing answering, or packets lost).
    case handshakeTimeout
    /// The server's certificate is not the one the ticket pins.
    case identityMismatch
    /// A protocol or library error, with the library's message.
    case failed(String)

    public var description: String {
        switch self {
        case .local: return "closed locally"
        case .peerClosed: return "closed by the peer"
        case .idleTimeout: return "no packets from the peer within the idle timeout"
        case .handshakeTimeout: return "the handshake did not complete in time"
        case .identityMismatch: return "the peer's certificate does not match the pinned fingerprint"
        case .failed(let message): return message
        }
    }
}
