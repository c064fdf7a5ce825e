/// What a viewer needs to reach a host: who the host is (its certificate
/// fingerprint), proof that the host invited it (the secret), and where to
/// try (candidate addresses, optionally a TURN relay).
///
/// `encoded()` and `parse(_:)` turn it into the one line a host prints and a
/// friend pastes; see `Ticket+Codec.swift` for the format.
public struct Ticket: Equatable, Sendable {
    /// The ticket format version this build writes.
    public static let version = 1
    /// Every ticket format version this build reads.
    static let supportedVersions = [1]

    static let fingerprintLength = 32
    static let secretLengths = 16...64

    /// SHA-256 of the host's certificate (DER), 32 bytes.
    public var fingerprint: [UInt8]
    /// 16 to 64 random bytes the viewer presents to be let in.
    public var secret: [UInt8]
    /// In the order the viewer should try them.
    public var addresses: [TicketAddress]
    /// The encoded `TicketRelay` (see `relayInfo`).
    public var relay: [UInt8]?
    /// Server-reflexive addresses: for hole punching, not for dialling.
    public var reflexive: [TicketAddress]

    public init(fingerprint: [UInt8], secret: [UInt8], addresses: [TicketAddress], relay: [UInt8]? = nil,
                reflexive: [TicketAddress] = []) {
        self.fingerprint = fingerprint
        self.secret = secret
        self.addresses = addresses
        self.relay = relay
        self.reflexive = reflexive
    }

    /// Lowercase hex of the secret, as it appears in request URLs.
    public var secretHex: String { hexString(secret) }

    /// Lowercase hex of the fingerprint, without colons.
    public var fingerprintHex: String { hexString(fingerprint) }
}
