/// Why bytes are not a STUN message we can use.
public enum STUNDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Fewer bytes than the 20-byte header, or than the header's length field announces.
    case truncated(needed: Int, available: Int)
    /// Top bits set or no magic cookie: QUIC, ChannelData or noise.
    case notSTUN
    /// The length field is not a multiple of 4.
    case badLength(Int)
    /// An attribute's value plus its padding runs past the end of the message.
    case attributeOverrun(type: UInt16, offset: Int)
    /// A known attribute whose value does not parse.
    case invalidAttribute(type: UInt16, reason: String)
    /// Attributes the receiver must understand but does not; a server
    /// answers 420 with these, a client drops the response.
    case unknownComprehensionRequired(types: [UInt16], transactionID: STUNTransactionID)

    public var description: String {
        switch self {
        case .truncated(let needed, let available):
            return "STUN message truncated: needs \(needed) bytes, has \(available)"
        case .notSTUN:
            return "not a STUN message (no magic cookie)"
        case .badLength(let length):
            return "STUN length \(length) is not a multiple of 4"
        case .attributeOverrun(let type, let offset):
            return "STUN attribute \(hex(type)) at byte \(offset) runs past the end of the message"
        case .invalidAttribute(let type, let reason):
            return "STUN attribute \(hex(type)) is invalid: \(reason)"
        case .unknownComprehensionRequired(let types, _):
            return "STUN message has unknown comprehension-required attributes \(types.map(hex).joined(separator: ", "))"
        }
    }
}

func hex(_ type: UInt16) -> String {
    let digits = String(type, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}

/// A received message: the values plus what checking MESSAGE-INTEGRITY and
/// FINGERPRINT needs (the exact bytes and where those attributes sit).
public struct DecodedSTUNMessage: Hashable, Sendable {
    public let message: STUNMessage
    /// The message's own bytes: header plus length (trailing datagram bytes dropped).
    public let bytes: [UInt8]
    /// Offset of the MESSAGE-INTEGRITY attribute's header, if present.
    let integrityOffset: Int?
    /// Offset of the FINGERPRINT attribute's header, if present.
    let fingerprintOffset: Int?

    public enum FingerprintStatus: Hashable, Sendable {
        case absent, valid, invalid
    }

    public var fingerprint: FingerprintStatus {
        guard let offset = fingerprintOffset else { return .absent }
        var prefix = Array(bytes[..<offset])
        prefix.setLength(offset + 8 - STUNMessage.headerLength)
        let expected = CRC32.checksum(prefix) ^ STUNMessage.fingerprintXOR
        return UInt32(bytes.bigEndian(at: offset + 4, count: 4)) == expected ? .valid : .invalid
    }

    /// Whether MESSAGE-INTEGRITY is present and matches `key`.
    public func hasValidIntegrity(key: STUNKey) -> Bool {
        guard let offset = integrityOffset else { return false }
        var prefix = Array(bytes[..<offset])
        prefix.setLength(offset + 24 - STUNMessage.headerLength)
        let mac = Crypto.hmacSHA1(key: key.bytes, data: prefix)
        return Crypto.constantTimeEqual(mac, bytes[(offset + 4)..<(offset + 24)])
    }

    public var hasIntegrity: Bool { integrityOffset != nil }
}

extension STUNMessage {
    /// Parses one message. Attributes after MESSAGE-INTEGRITY other than
    /// FINGERPRINT, and everything after FINGERPRINT, are ignored (RFC 8489
    /// §14.5, §14.7); padding bytes are not checked (RFC 5769 pads with spaces).
    public static func decode(_ datagram: [UInt8]) throws(STUNDecodingError) -> DecodedSTUNMessage {
        guard datagram.count >= headerLength else {
            throw .truncated(needed: headerLength, available: datagram.count)
        }
        guard datagram[0] & 0xC0 == 0, UInt32(datagram.bigEndian(at: 4, count: 4)) == magicCookie else {
            throw .notSTUN
        }
        let length = Int(datagram.bigEndian(at: 2, count: 2))
        guard length % 4 == 0 else { throw .badLength(length) }
        guard datagram.count >= headerLength + length else {
            throw .truncated(needed: headerLength + length, available: datagram.count)
        }
        let bytes = Array(datagram[..<(headerLength + length)])
        let (method, messageClass) = split(messageType: UInt16(bytes.bigEndian(at: 0, count: 2)))
        let transactionID = STUNTransactionID(bytes: bytes[8..<20])!

        var attributes: [STUNAttribute] = []
        var unknownRequired: [UInt16] = []
        var integrityOffset: Int?
        var fingerprintOffset: Int?
        var offset = headerLength
        while offset < bytes.count {
            guard offset + 4 <= bytes.count else {
                throw .attributeOverrun(type: 0, offset: offset)
            }
            let type = UInt16(bytes.bigEndian(at: offset, count: 2))
            let valueLength = Int(bytes.bigEndian(at: offset + 2, count: 2))
            let valueEnd = offset + 4 + valueLength
            let paddedEnd = valueEnd + (4 - valueLength % 4) % 4
            guard paddedEnd <= bytes.count else { throw .attributeOverrun(type: type, offset: offset) }
            defer { offset = paddedEnd }

            if fingerprintOffset != nil { continue }
            if integrityOffset != nil, type != STUNAttribute.Kind.fingerprint,
               type != STUNAttribute.Kind.messageIntegritySHA256 { continue }

            let value = bytes[(offset + 4)..<valueEnd]
            if let attribute = try STUNAttribute.decode(type: type, value: value, transactionID: transactionID) {
                switch attribute {
                case .messageIntegrity: integrityOffset = offset
                case .fingerprint: fingerprintOffset = offset
                case .mappedAddress, .xorMappedAddress, .xorPeerAddress, .xorRelayedAddress, .username,
                     .realm, .nonce, .errorCode, .unknownAttributes, .software, .lifetime,
                     .requestedTransport, .channelNumber, .data, .priority, .useCandidate,
                     .iceControlled, .iceControlling, .other:
                    break
                }
                attributes.append(attribute)
            } else {
                if STUNAttribute.isComprehensionRequired(type), !STUNAttribute.ignorableRequiredTypes.contains(type) {
                    unknownRequired.append(type)
                }
                attributes.append(.other(type: type, value: Array(value)))
            }
        }
        if !unknownRequired.isEmpty {
            throw .unknownComprehensionRequired(types: unknownRequired, transactionID: transactionID)
        }
        let message = STUNMessage(method: method, messageClass: messageClass, transactionID: transactionID,
                                  attributes: attributes)
        return DecodedSTUNMessage(message: message, bytes: bytes, integrityOffset: integrityOffset,
                                  fingerprintOffset: fingerprintOffset)
    }
}
