/// Why a TURN allocation (or a request about one peer) did not work, with
/// the server's own reason phrase where it gave one.
public enum TURNFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// 401 to a request that carried our credentials.
    case wrongCredentials(username: String, realm: String, reason: String)
    /// The retransmission schedule ran out.
    case noResponse(request: String, requestsSent: Int)
    /// The server kept answering 438 Stale Nonce to fresh nonces.
    case staleNonceLoop
    /// 403: the server will not do this for us (e.g. a peer address it blocks).
    case forbidden(reason: String)
    /// 437 to Allocate: the server already has an allocation for this socket.
    case allocationMismatch(reason: String)
    /// 437 to Refresh: the allocation is gone (expired or the server restarted).
    case allocationLost(reason: String)
    /// 486: this user has as many allocations as the server allows.
    case allocationQuotaReached(reason: String)
    /// 508: the server has no relay ports to spare.
    case insufficientCapacity(reason: String)
    /// 442: the server does not relay UDP.
    case unsupportedTransport(reason: String)
    /// Any other error response.
    case serverError(STUNErrorCode)
    /// A response we cannot use (e.g. success without XOR-RELAYED-ADDRESS).
    case invalidResponse(String)

    public var description: String {
        switch self {
        case .wrongCredentials(let username, let realm, let reason):
            return "TURN server rejected user \"\(username)\" in realm \"\(realm)\" (401 \(reason)): "
                + "check the TURN username and password; with a REST shared secret, check that it matches "
                + "coturn's static-auth-secret, that the credentials have not expired, and that both clocks are right"
        case .noResponse(let request, let sent):
            return "TURN server did not answer \(request) (\(sent) request\(sent == 1 ? "" : "s") sent): "
                + "check its address and port, and that UDP to it is not blocked"
        case .staleNonceLoop:
            return "TURN server rejected every fresh nonce as stale (438); its clock or nonce handling is broken"
        case .forbidden(let reason):
            return "TURN server refused (403 \(reason))"
        case .allocationMismatch(let reason):
            return "TURN server already has an allocation for this socket (437 \(reason)); retry from a new port or wait for it to expire"
        case .allocationLost(let reason):
            return "TURN allocation is gone (437 \(reason)); it expired or the server restarted"
        case .allocationQuotaReached(let reason):
            return "TURN user has too many allocations (486 \(reason)); close other sessions or raise user-quota"
        case .insufficientCapacity(let reason):
            return "TURN server is out of relay ports (508 \(reason))"
        case .unsupportedTransport(let reason):
            return "TURN server does not relay UDP (442 \(reason))"
        case .serverError(let error):
            return "TURN server answered \(error)"
        case .invalidResponse(let reason):
            return "TURN server sent an unusable response: \(reason)"
        }
    }
}
