/// QUIC variable-length integers (RFC 9000 section 16): the top two bits of
/// the first byte give the length (1, 2, 4 or 8 bytes), the rest is the value
/// big-endian. Chosen because the rest of pixelpass speaks QUIC, and small
/// field lengths (< 64) cost one byte.
enum Varint {
    static let maximum: UInt64 = (1 << 62) - 1

    static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        precondition(value <= maximum, "varint value \(value) exceeds 2^62 - 1")
        let (prefix, length): (UInt8, Int)
        switch value {
        case ..<(1 << 6): (prefix, length) = (0x00, 1)
        case ..<(1 << 14): (prefix, length) = (0x40, 2)
        case ..<(1 << 30): (prefix, length) = (0x80, 4)
        default: (prefix, length) = (0xC0, 8)
        }
        for shift in stride(from: (length - 1) * 8, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
        bytes[bytes.count - length] |= prefix
    }
}

extension ByteReader {
    /// Nil when the input ends inside the integer.
    mutating func readVarint() -> UInt64? {
        guard let first = readByte() else { return nil }
        let length = 1 << Int(first >> 6)
        var value = UInt64(first & 0x3F)
        for _ in 1..<length {
            guard let next = readByte() else { return nil }
            value = (value << 8) | UInt64(next)
        }
        return value
    }
}
