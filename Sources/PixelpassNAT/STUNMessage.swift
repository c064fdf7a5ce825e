/// The STUN methods pixelpass uses (RFC 8489 Binding; RFC 8656 TURN methods).
/// Any other 12-bit method survives a round trip as `.other`.
public enum STUNMethod: Hashable, Sendable {
    case binding
    case allocate
    case refresh
    case send
    case data
    case createPermission
    case channelBind
    case other(UInt16)

    public init(rawValue: UInt16) {
        switch rawValue {
        case 0x001: self = .binding
        case 0x003: self = .allocate
        case 0x004: self = .refresh
        case 0x006: self = .send
        case 0x007: self = .data
        case 0x008: self = .createPermission
        case 0x009: self = .channelBind
        default: self = .other(rawValue & 0x0FFF)
        }
    }

    public var rawValue: UInt16 {
        switch self {
        case .binding: return 0x001
        case .allocate: return 0x003
        case .refresh: return 0x004
        case .send: return 0x006
        case .data: return 0x007
        case .createPermission: return 0x008
        case .channelBind: return 0x009
        case .other(let value): return value & 0x0FFF
        }
    }
}

public enum STUNClass: UInt8, Hashable, Sendable {
    case request = 0b00
    case indication = 0b01
    case successResponse = 0b10
    case errorResponse = 0b11
}

/// The 96-bit transaction id.
public struct STUNTransactionID: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 12 else { return nil }
        self.bytes = Array(bytes)
    }

    public static func random(using generator: inout some RandomNumberGenerator) -> STUNTransactionID {
        let bytes = (0..<12).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return STUNTransactionID(bytes: bytes)!
    }

    public static func random() -> STUNTransactionID {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    public var description: String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}

/// The key MESSAGE-INTEGRITY is computed with.
public struct STUNKey: Hashable, Sendable {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Long-term credentials (RFC 8489 §9.2.2): MD5(username ":" realm ":" password).
    /// Strings are taken as given (UTF-8); OpaqueString preparation (RFC 8265)
    /// is the caller's business and is a no-op for ASCII credentials.
    public static func longTerm(username: String, realm: String, password: String) -> STUNKey {
        STUNKey(bytes: Crypto.md5(Array("\(username):\(realm):\(password)".utf8)))
    }

    /// Short-term credentials (RFC 8489 §9.1.2): the password itself.
    public static func shortTerm(password: String) -> STUNKey {
        STUNKey(bytes: Array(password.utf8))
    }
}

/// A STUN message as values: header fields and attributes in order.
/// MESSAGE-INTEGRITY and FINGERPRINT are normally added by `encode`, not
/// listed here; listing them writes their given values verbatim.
public struct STUNMessage: Hashable, Sendable {
    public static let magicCookie: UInt32 = 0x2112_A442
    public static let headerLength = 20
    static let fingerprintXOR: UInt32 = 0x5354_554E

    public var method: STUNMethod
    public var messageClass: STUNClass
    public var transactionID: STUNTransactionID
    public var attributes: [STUNAttribute]

    public init(method: STUNMethod, messageClass: STUNClass, transactionID: STUNTransactionID,
                attributes: [STUNAttribute] = []) {
        self.method = method
        self.messageClass = messageClass
        self.transactionID = transactionID
        self.attributes = attributes
    }

    /// The 14-bit message type: method bits M0–M11 interleaved with class bits C0 (bit 4) and C1 (bit 8).
    public var messageType: UInt16 {
        let method = method.rawValue
        let klass = UInt16(messageClass.rawValue)
        return (method & 0x000F) | (method & 0x0070) << 1 | (method & 0x0F80) << 2
            | (klass & 0b01) << 4 | (klass & 0b10) << 7
    }

    static func split(messageType type: UInt16) -> (STUNMethod, STUNClass) {
        let method = (type & 0x000F) | (type & 0x00E0) >> 1 | (type & 0x3E00) >> 2
        let klass = UInt8((type >> 4) & 0b01 | (type >> 7) & 0b10)
        return (STUNMethod(rawValue: method), STUNClass(rawValue: klass)!)
    }

    /// The wire form. With `integrity`, a MESSAGE-INTEGRITY attribute is
    /// appended (HMAC-SHA1 over the message so far, with the length field
    /// already counting MESSAGE-INTEGRITY); with `fingerprint`, a FINGERPRINT
    /// (CRC-32 of everything before it, XOR 0x5354554e) goes last.
    /// `padding` is the byte used to pad values to 4 bytes: receivers ignore
    /// it; 0 is normal (RFC 5769's vectors use 0x20).
    public func encode(integrity key: STUNKey? = nil, fingerprint: Bool = false, padding: UInt8 = 0) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(128)
        bytes.appendBigEndian(UInt64(messageType), count: 2)
        bytes.appendBigEndian(0, count: 2)
        bytes.appendBigEndian(UInt64(STUNMessage.magicCookie), count: 4)
        bytes += transactionID.bytes
        for attribute in attributes {
            attribute.write(into: &bytes, transactionID: transactionID, padding: padding)
        }
        if let key {
            bytes.setLength(bytes.count - STUNMessage.headerLength + 24)
            let mac = Crypto.hmacSHA1(key: key.bytes, data: bytes)
            STUNAttribute.messageIntegrity(mac).write(into: &bytes, transactionID: transactionID, padding: padding)
        }
        if fingerprint {
            bytes.setLength(bytes.count - STUNMessage.headerLength + 8)
            let crc = CRC32.checksum(bytes) ^ STUNMessage.fingerprintXOR
            STUNAttribute.fingerprint(crc).write(into: &bytes, transactionID: transactionID, padding: padding)
        }
        bytes.setLength(bytes.count - STUNMessage.headerLength)
        return bytes
    }

    /// A cheap test for demultiplexing STUN from QUIC (and ChannelData) on one
    /// socket: the two top bits are zero (QUIC always sets 0x40), the magic
    /// cookie is at bytes 4–7, and the length is a multiple of 4.
    public static func isProbablySTUN(_ bytes: some Collection<UInt8>) -> Bool {
        guard bytes.count >= headerLength else { return false }
        let b = Array(bytes.prefix(8))
        return b[0] & 0xC0 == 0 && b[3] & 0x03 == 0
            && b[4] == 0x21 && b[5] == 0x12 && b[6] == 0xA4 && b[7] == 0x42
    }
}

/// The first attribute of each kind, for reading received messages.
extension STUNMessage {
    public var mappedAddress: NATAddress? {
        for case .mappedAddress(let value) in attributes { return value }
        return nil
    }
    public var xorMappedAddress: NATAddress? {
        for case .xorMappedAddress(let value) in attributes { return value }
        return nil
    }
    public var xorPeerAddress: NATAddress? {
        for case .xorPeerAddress(let value) in attributes { return value }
        return nil
    }
    public var xorRelayedAddress: NATAddress? {
        for case .xorRelayedAddress(let value) in attributes { return value }
        return nil
    }
    public var username: String? {
        for case .username(let value) in attributes { return value }
        return nil
    }
    public var realm: String? {
        for case .realm(let value) in attributes { return value }
        return nil
    }
    public var nonce: String? {
        for case .nonce(let value) in attributes { return value }
        return nil
    }
    public var errorCode: STUNErrorCode? {
        for case .errorCode(let value) in attributes { return value }
        return nil
    }
    public var software: String? {
        for case .software(let value) in attributes { return value }
        return nil
    }
    public var lifetime: UInt32? {
        for case .lifetime(let value) in attributes { return value }
        return nil
    }
    public var channelNumber: UInt16? {
        for case .channelNumber(let value) in attributes { return value }
        return nil
    }
    public var data: [UInt8]? {
        for case .data(let value) in attributes { return value }
        return nil
    }
}

extension [UInt8] {
    mutating func appendBigEndian(_ value: UInt64, count: Int) {
        for index in (0..<count).reversed() {
            append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))))
        }
    }

    /// Sets the STUN header's message-length field.
    mutating func setLength(_ length: Int) {
        self[2] = UInt8(truncatingIfNeeded: length >> 8)
        self[3] = UInt8(truncatingIfNeeded: length)
    }

    func bigEndian(at offset: Int, count: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in offset..<(offset + count) { value = value << 8 | UInt64(self[index]) }
        return value
    }
}
