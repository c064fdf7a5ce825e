import PixelpassTransport

/// Whose key and secret a share's ticket carries: new ones each share (the
/// default), or the ones kept on disk so the same ticket works again
/// (`--keep-ticket`, `[host] keep_ticket`; `--new-ticket` replaces them).
public enum TicketIdentity: Equatable, Sendable {
    /// A new key and secret for this share only; nothing is written.
    case fresh
    /// The key and secret the store keeps; made and kept on first use.
    case kept(TicketIdentityStore)
    /// New ones that replace what the store kept, and are kept from now on.
    case renewed(TicketIdentityStore)

    /// Whether this share's ticket stays valid for later shares.
    public var keepsTicket: Bool {
        switch self {
        case .fresh: return false
        case .kept, .renewed: return true
        }
    }

    /// Whether viewers may hold a ticket from an earlier share, which names
    /// where the host was then rather than where it is now.
    var ticketMayPredateThisShare: Bool {
        if case .kept = self { return true }
        return false
    }

    /// The host's TLS identity (its fingerprint goes in the ticket) and the
    /// ticket's secret. Throws `TicketIdentityError` for a kept ticket that
    /// cannot be read or written, `TLSError` if GnuTLS cannot make a key.
    func obtain(commonName: String) throws -> (identity: TLSIdentity, secret: [UInt8]) {
        switch self {
        case .fresh:
            return (try TLSIdentity(commonName: commonName), SecretGenerator.bytes(Self.secretLength))
        case .kept(let store):
            if let kept = try store.load() { return kept }
            return try Self.makeAndKeep(in: store, commonName: commonName)
        case .renewed(let store):
            return try Self.makeAndKeep(in: store, commonName: commonName)
        }
    }

    /// Bytes of a new ticket secret.
    static let secretLength = 16

    private static func makeAndKeep(in store: TicketIdentityStore,
                                    commonName: String) throws -> (identity: TLSIdentity, secret: [UInt8]) {
        let identity = try TLSIdentity(commonName: commonName)
        let secret = SecretGenerator.bytes(secretLength)
        try store.save(identity: identity, secret: secret)
        return (identity, secret)
    }
}
