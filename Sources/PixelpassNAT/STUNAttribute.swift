/// ERROR-CODE: a 300–699 code and the server's reason phrase.
public struct STUNErrorCode: Hashable, Sendable, CustomStringConvertible {
    public var code: Int
    public var reason: String

    public init(code: Int, reason: String) {
        self.code = code
        self.reason = reason
    }

    public static let tryAlternate = 300
    public static let badRequest = 400
    public static let unauthorized = 401
    public static let forbidden = 403
    public static let unknownAttribute = 420
    public static let allocationMismatch = 437
    public static let staleNonce = 438
    public static let addressFamilyNotSupported = 440
    public static let wrongCredentials = 441
    public static let unsupportedTransportProtocol = 442
    public static let peerAddressFamilyMismatch = 443
    public static let allocationQuotaReached = 486
    public static let serverError = 500
    public static let insufficientCapacity = 508

    public var description: String { reason.isEmpty ? "\(code)" : "\(code) \(reason)" }
}

/// The attributes pixelpass reads and writes. Anything else decodes as
/// `.other` (comprehension-optional ones; comprehension-required ones make
/// decoding fail unless they are in `STUNAttribute.ignorableRequiredTypes`).
public enum STUNAttribute: Hashable, Sendable {
    case mappedAddress(NATAddress)
    case xorMappedAddress(NATAddress)
    case xorPeerAddress(NATAddress)
    case xorRelayedAddress(NATAddress)
    case username(String)
    case realm(String)
    case nonce(String)
    case errorCode(STUNErrorCode)
    case unknownAttributes([UInt16])
    case software(String)
    /// Seconds.
    case lifetime(UInt32)
    /// An IP protocol number; 17 is UDP, the only one RFC 8656 defines.
    case requestedTransport(UInt8)
    case channelNumber(UInt16)
    case data([UInt8])
    /// The 20-byte HMAC-SHA1 as received.
    case messageIntegrity([UInt8])
    /// The value as received (already XORed with 0x5354554e).
    case fingerprint(UInt32)
    /// ICE (RFC 8445): decoded so that connectivity checks parse too.
    case priority(UInt32)
    case useCandidate
    case iceControlled(UInt64)
    case iceControlling(UInt64)
    case other(type: UInt16, value: [UInt8])

    public enum Kind {
        public static let mappedAddress: UInt16 = 0x0001
        public static let username: UInt16 = 0x0006
        public static let messageIntegrity: UInt16 = 0x0008
        public static let errorCode: UInt16 = 0x0009
        public static let unknownAttributes: UInt16 = 0x000A
        public static let channelNumber: UInt16 = 0x000C
        public static let lifetime: UInt16 = 0x000D
        public static let xorPeerAddress: UInt16 = 0x0012
        public static let data: UInt16 = 0x0013
        public static let realm: UInt16 = 0x0014
        public static let nonce: UInt16 = 0x0015
        public static let xorRelayedAddress: UInt16 = 0x0016
        public static let requestedTransport: UInt16 = 0x0019
        public static let messageIntegritySHA256: UInt16 = 0x001C
        public static let xorMappedAddress: UInt16 = 0x0020
        public static let priority: UInt16 = 0x0024
        public static let useCandidate: UInt16 = 0x0025
        public static let software: UInt16 = 0x8022
        public static let fingerprint: UInt16 = 0x8028
        public static let iceControlled: UInt16 = 0x8029
        public static let iceControlling: UInt16 = 0x802A
    }

    /// Comprehension-required attributes from the STUN/TURN registries that a
    /// client may safely pass over: MESSAGE-INTEGRITY-SHA256, USERHASH,
    /// REQUESTED-ADDRESS-FAMILY, EVEN-PORT, DONT-FRAGMENT, RESERVATION-TOKEN.
    /// They decode as `.other` instead of failing the message.
    public static let ignorableRequiredTypes: Set<UInt16> = [0x001C, 0x001E, 0x0017, 0x0018, 0x001A, 0x0022]

    public static let udpTransport: UInt8 = 17

    /// 0x0000–0x7FFF must be understood by the receiver.
    public static func isComprehensionRequired(_ type: UInt16) -> Bool { type < 0x8000 }

    public var type: UInt16 {
        switch self {
        case .mappedAddress: return Kind.mappedAddress
        case .xorMappedAddress: return Kind.xorMappedAddress
        case .xorPeerAddress: return Kind.xorPeerAddress
        case .xorRelayedAddress: return Kind.xorRelayedAddress
        case .username: return Kind.username
        case .realm: return Kind.realm
        case .nonce: return Kind.nonce
        case .errorCode: return Kind.errorCode
        case .unknownAttributes: return Kind.unknownAttributes
        case .software: return Kind.software
        case .lifetime: return Kind.lifetime
        case .requestedTransport: return Kind.requestedTransport
        case .channelNumber: return Kind.channelNumber
        case .data: return Kind.data
        case .messageIntegrity: return Kind.messageIntegrity
        case .fingerprint: return Kind.fingerprint
        case .priority: return Kind.priority
        case .useCandidate: return Kind.useCandidate
        case .iceControlled: return Kind.iceControlled
        case .iceControlling: return Kind.iceControlling
        case .other(let type, _): return type
        }
    }

    /// The value bytes, without header or padding.
    func value(transactionID: STUNTransactionID) -> [UInt8] {
        var out: [UInt8] = []
        switch self {
        case .mappedAddress(let address):
            out = STUNAttribute.addressValue(address, xor: nil)
        case .xorMappedAddress(let address), .xorPeerAddress(let address), .xorRelayedAddress(let address):
            out = STUNAttribute.addressValue(address, xor: transactionID)
        case .username(let text), .realm(let text), .nonce(let text), .software(let text):
            out = Array(text.utf8)
        case .errorCode(let error):
            out = [0, 0, UInt8(truncatingIfNeeded: error.code / 100 & 0x07), UInt8(truncatingIfNeeded: error.code % 100)]
            out += Array(error.reason.utf8)
        case .unknownAttributes(let types):
            for type in types { out.appendBigEndian(UInt64(type), count: 2) }
        case .lifetime(let seconds):
            out.appendBigEndian(UInt64(seconds), count: 4)
        case .requestedTransport(let proto):
            out = [proto, 0, 0, 0]
        case .channelNumber(let channel):
            out.appendBigEndian(UInt64(channel), count: 2)
            out += [0, 0]
        case .data(let bytes), .messageIntegrity(let bytes):
            out = bytes
        case .fingerprint(let value), .priority(let value):
            out.appendBigEndian(UInt64(value), count: 4)
        case .useCandidate:
            break
        case .iceControlled(let tieBreaker), .iceControlling(let tieBreaker):
            out.appendBigEndian(tieBreaker, count: 8)
        case .other(_, let value):
            out = value
        }
        return out
    }

    func write(into bytes: inout [UInt8], transactionID: STUNTransactionID, padding: UInt8) {
        let value = value(transactionID: transactionID)
        bytes.appendBigEndian(UInt64(type), count: 2)
        bytes.appendBigEndian(UInt64(value.count), count: 2)
        bytes += value
        bytes += [UInt8](repeating: padding, count: (4 - value.count % 4) % 4)
    }

    /// Family (1 = IPv4, 2 = IPv6), port and address; the XOR variants mask
    /// the port with the cookie's top 16 bits and the address with the
    /// cookie followed by the transaction id.
    static func addressValue(_ address: NATAddress, xor transactionID: STUNTransactionID?) -> [UInt8] {
        var ip = address.ip.bytes
        var port = address.port
        if let transactionID {
            port ^= UInt16(STUNMessage.magicCookie >> 16)
            let mask = bigEndianBytes(UInt64(STUNMessage.magicCookie), count: 4) + transactionID.bytes
            for index in ip.indices { ip[index] ^= mask[index] }
        }
        var out: [UInt8] = [0, address.ip.isIPv4 ? 1 : 2]
        out.appendBigEndian(UInt64(port), count: 2)
        return out + ip
    }

    static func decodeAddress(_ value: ArraySlice<UInt8>, type: UInt16,
                              xor transactionID: STUNTransactionID?) throws(STUNDecodingError) -> NATAddress {
        let value = Array(value)
        guard value.count >= 4 else { throw .invalidAttribute(type: type, reason: "address shorter than 4 bytes") }
        let expected: Int
        switch value[1] {
        case 1: expected = 8
        case 2: expected = 20
        default: throw .invalidAttribute(type: type, reason: "unknown address family \(value[1])")
        }
        guard value.count == expected else {
            throw .invalidAttribute(type: type, reason: "address family \(value[1]) needs \(expected) bytes, got \(value.count)")
        }
        var port = UInt16(value.bigEndian(at: 2, count: 2))
        var ip = Array(value[4...])
        if let transactionID {
            port ^= UInt16(STUNMessage.magicCookie >> 16)
            let mask = bigEndianBytes(UInt64(STUNMessage.magicCookie), count: 4) + transactionID.bytes
            for index in ip.indices { ip[index] ^= mask[index] }
        }
        return NATAddress(ip: NATIP(bytes: ip)!, port: port)
    }

    /// Decodes one attribute's value; nil for a type this enum does not model.
    static func decode(type: UInt16, value: ArraySlice<UInt8>,
                       transactionID: STUNTransactionID) throws(STUNDecodingError) -> STUNAttribute? {
        func exactly(_ count: Int) throws(STUNDecodingError) -> [UInt8] {
            guard value.count == count else {
                throw .invalidAttribute(type: type, reason: "needs \(count) bytes, got \(value.count)")
            }
            return Array(value)
        }
        func utf8(_ limit: Int) throws(STUNDecodingError) -> String {
            guard value.count <= limit else {
                throw .invalidAttribute(type: type, reason: "longer than \(limit) bytes")
            }
            guard let text = String(validating: value, as: UTF8.self) else {
                throw .invalidAttribute(type: type, reason: "not UTF-8")
            }
            return text
        }
        switch type {
        case Kind.mappedAddress:
            return .mappedAddress(try decodeAddress(value, type: type, xor: nil))
        case Kind.xorMappedAddress:
            return .xorMappedAddress(try decodeAddress(value, type: type, xor: transactionID))
        case Kind.xorPeerAddress:
            return .xorPeerAddress(try decodeAddress(value, type: type, xor: transactionID))
        case Kind.xorRelayedAddress:
            return .xorRelayedAddress(try decodeAddress(value, type: type, xor: transactionID))
        case Kind.username:
            return .username(try utf8(513))
        case Kind.realm:
            return .realm(try utf8(763))
        case Kind.nonce:
            return .nonce(try utf8(763))
        case Kind.software:
            // Informational only, so a broken one is repaired, not fatal.
            return .software(String(decoding: value, as: UTF8.self))
        case Kind.errorCode:
            let bytes = Array(value)
            guard bytes.count >= 4 else { throw .invalidAttribute(type: type, reason: "shorter than 4 bytes") }
            let klass = Int(bytes[2] & 0x07), number = Int(bytes[3])
            guard (3...6).contains(klass), number < 100 else {
                throw .invalidAttribute(type: type, reason: "code \(klass * 100 + number) outside 300–699")
            }
            let reason = String(decoding: bytes[4...], as: UTF8.self)
            return .errorCode(STUNErrorCode(code: klass * 100 + number, reason: reason))
        case Kind.unknownAttributes:
            let bytes = Array(value)
            guard bytes.count % 2 == 0 else { throw .invalidAttribute(type: type, reason: "odd length") }
            return .unknownAttributes(stride(from: 0, to: bytes.count, by: 2).map { UInt16(bytes.bigEndian(at: $0, count: 2)) })
        case Kind.lifetime:
            return .lifetime(UInt32(try exactly(4).bigEndian(at: 0, count: 4)))
        case Kind.requestedTransport:
            return .requestedTransport(try exactly(4)[0])
        case Kind.channelNumber:
            return .channelNumber(UInt16(try exactly(4).bigEndian(at: 0, count: 2)))
        case Kind.data:
            return .data(Array(value))
        case Kind.messageIntegrity:
            return .messageIntegrity(try exactly(20))
        case Kind.fingerprint:
            return .fingerprint(UInt32(try exactly(4).bigEndian(at: 0, count: 4)))
        case Kind.priority:
            return .priority(UInt32(try exactly(4).bigEndian(at: 0, count: 4)))
        case Kind.useCandidate:
            _ = try exactly(0)
            return .useCandidate
        case Kind.iceControlled:
            return .iceControlled(try exactly(8).bigEndian(at: 0, count: 8))
        case Kind.iceControlling:
            return .iceControlling(try exactly(8).bigEndian(at: 0, count: 8))
        default:
            return nil
        }
    }
}
