/// Big-endian fields out of a datagram, with bounds checked by the caller
/// once (`count` first), so the codecs read like the RFC diagrams.
struct ByteReader {
    private let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    mutating func u8() -> UInt8 {
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() -> UInt16 { UInt16(u8()) << 8 | UInt16(u8()) }

    mutating func u32() -> UInt32 { UInt32(u16()) << 16 | UInt32(u16()) }

    mutating func take(_ count: Int) -> [UInt8] {
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func skip(_ count: Int) { offset += count }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian(_ value: UInt16) { append(contentsOf: bigEndianBytes(UInt64(value), count: 2)) }
    mutating func appendBigEndian(_ value: UInt32) { append(contentsOf: bigEndianBytes(UInt64(value), count: 4)) }
}

extension NATIP {
    /// The 16-byte form PCP carries: IPv6 as is, IPv4 as ::ffff:a.b.c.d.
    var pcpBytes: [UInt8] {
        switch self {
        case .v4(let value): return Array(repeating: 0, count: 10) + [0xFF, 0xFF] + bigEndianBytes(UInt64(value), count: 4)
        case .v6: return bytes
        }
    }

    /// From PCP's 16 bytes: an IPv4-mapped address becomes IPv4 again.
    init(pcpBytes: [UInt8]) {
        precondition(pcpBytes.count == 16)
        if pcpBytes.prefix(10).allSatisfy({ $0 == 0 }), pcpBytes[10] == 0xFF, pcpBytes[11] == 0xFF {
            self = NATIP(bytes: pcpBytes.suffix(4))!
        } else {
            self = NATIP(bytes: pcpBytes)!
        }
    }

    /// 0.0.0.0 or :: — "no preference" / "unknown" in PCP and NAT-PMP.
    var isUnspecified: Bool {
        switch self {
        case .v4(let value): return value == 0
        case .v6(let high, let low): return high == 0 && low == 0
        }
    }
}
