import PixelpassNAT

/// Where one side of a session can be reached, as published (sealed) in a
/// BEP 44 item: up to 16 candidate addresses, who published it, a random
/// session id (so a viewer can tell a restarted host from the old one) and
/// when, in Unix seconds.
///
/// Plain layout, big-endian: version 1 (1 byte), role (1), session (8),
/// time (8), count (1), then per address a family byte (4 or 6), the IP
/// (4 or 16 bytes) and the port (2). At most 323 bytes; sealed it adds a
/// 12-byte nonce in front and a 16-byte tag behind.
public struct CandidateRecord: Hashable, Sendable {
    public static let maxAddresses = 16
    static let formatVersion: UInt8 = 1
    /// Bound to the ciphertext so a sealed record is not mistaken for another kind of sealed data.
    static let associatedData: [UInt8] = Array("pixelpass candidate record v1".utf8)

    public enum Role: UInt8, Hashable, Sendable {
        case host = 1
        case viewer = 2
    }

    public enum OpenError: Error, Hashable, Sendable {
        case tooShort
        /// Wrong key, or altered in transit or storage.
        case authenticationFailed
        /// Authentic but not a record this version understands.
        case malformed
    }

    public var addresses: [NATAddress]
    public var role: Role
    public var session: UInt64
    public var unixTime: UInt64

    /// Keeps the first 16 addresses.
    public init(addresses: [NATAddress], role: Role, session: UInt64, unixTime: UInt64) {
        self.addresses = Array(addresses.prefix(CandidateRecord.maxAddresses))
        self.role = role
        self.session = session
        self.unixTime = unixTime
    }

    var encoded: [UInt8] {
        var bytes: [UInt8] = [CandidateRecord.formatVersion, role.rawValue]
        bytes += bigEndian(session, count: 8) + bigEndian(unixTime, count: 8)
        bytes.append(UInt8(addresses.count))
        for address in addresses {
            bytes.append(address.ip.isIPv4 ? 4 : 6)
            bytes += address.ip.bytes + bigEndian(UInt64(address.port), count: 2)
        }
        return bytes
    }

    init?(decoding bytes: [UInt8]) {
        var reader = bytes[...]
        func take(_ count: Int) -> ArraySlice<UInt8>? {
            guard reader.count >= count else { return nil }
            defer { reader = reader.dropFirst(count) }
            return reader.prefix(count)
        }
        func number(_ count: Int) -> UInt64? {
            take(count).map { $0.reduce(0) { $0 << 8 | UInt64($1) } }
        }
        guard number(1) == UInt64(CandidateRecord.formatVersion),
              let roleByte = number(1), let role = Role(rawValue: UInt8(roleByte)),
              let session = number(8), let unixTime = number(8),
              let count = number(1), count <= UInt64(CandidateRecord.maxAddresses) else { return nil }
        var addresses: [NATAddress] = []
        for _ in 0..<count {
            let ipLength: Int
            switch number(1) {
            case 4: ipLength = 4
            case 6: ipLength = 16
            default: return nil
            }
            guard let ipBytes = take(ipLength), let ip = NATIP(bytes: ipBytes), let port = number(2) else { return nil }
            addresses.append(NATAddress(ip: ip, port: UInt16(port)))
        }
        guard reader.isEmpty else { return nil }
        self.init(addresses: addresses, role: role, session: session, unixTime: unixTime)
    }

    /// Nonce ‖ ciphertext ‖ tag under `key` (32 bytes), with a fresh random nonce.
    public func sealed(key: [UInt8], random: inout some RandomNumberGenerator) -> [UInt8] {
        let nonce = (0..<ChaCha20Poly1305.nonceLength).map { _ in UInt8.random(in: .min ... .max, using: &random) }
        return nonce + ChaCha20Poly1305.seal(encoded, key: key, nonce: nonce,
                                             associatedData: CandidateRecord.associatedData)
    }

    public init(opening sealed: [UInt8], key: [UInt8]) throws(OpenError) {
        guard sealed.count >= ChaCha20Poly1305.nonceLength + ChaCha20Poly1305.tagLength else { throw .tooShort }
        let nonce = Array(sealed.prefix(ChaCha20Poly1305.nonceLength))
        guard let plain = ChaCha20Poly1305.open(Array(sealed.dropFirst(ChaCha20Poly1305.nonceLength)), key: key,
                                                nonce: nonce, associatedData: CandidateRecord.associatedData) else {
            throw .authenticationFailed
        }
        guard let record = CandidateRecord(decoding: plain) else { throw .malformed }
        self = record
    }
}
