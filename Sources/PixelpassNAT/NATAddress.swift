/// An IPv4 or IPv6 address, as STUN carries it (no zone, no host names).
public enum NATIP: Hashable, Sendable {
    case v4(UInt32)
    /// The 128 bits as two big-endian halves.
    case v6(high: UInt64, low: UInt64)

    /// 4 or 16 bytes, network order.
    public init?(bytes: some Collection<UInt8>) {
        switch bytes.count {
        case 4:
            self = .v4(bytes.reduce(0) { $0 << 8 | UInt32($1) })
        case 16:
            let high = bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let low = bytes.suffix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            self = .v6(high: high, low: low)
        default:
            return nil
        }
    }

    /// 4 or 16 bytes, network order.
    public var bytes: [UInt8] {
        switch self {
        case .v4(let value):
            return bigEndianBytes(UInt64(value), count: 4)
        case .v6(let high, let low):
            return bigEndianBytes(high, count: 8) + bigEndianBytes(low, count: 8)
        }
    }

    public var isIPv4: Bool {
        switch self {
        case .v4: return true
        case .v6: return false
        }
    }

    /// Dotted quad, or RFC 4291 text ("2001:db8::1", "::ffff:1.2.3.4").
    public init?(_ text: some StringProtocol) {
        let text = String(text)
        if let v4 = NATIP.parseIPv4(Substring(text)) {
            self = .v4(v4)
        } else if let v6 = NATIP.parseIPv6(text) {
            self.init(bytes: v6)
        } else {
            return nil
        }
    }

    private static func parseIPv4(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let octet = UInt8(part) else { return nil }
            value = value << 8 | UInt32(octet)
        }
        return value
    }

    private static func parseIPv6(_ text: String) -> [UInt8]? {
        guard text.contains(":") else { return nil }
        let halves = text.components(separatedByDoubleColon: ())
        guard halves.count <= 2 else { return nil }

        func groups(_ part: Substring, allowIPv4Tail: Bool) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result: [UInt16] = []
            let fields = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, field) in fields.enumerated() {
                if allowIPv4Tail, index == fields.count - 1, field.contains(".") {
                    guard let v4 = parseIPv4(field) else { return nil }
                    result.append(UInt16(v4 >> 16))
                    result.append(UInt16(v4 & 0xFFFF))
                } else {
                    guard (1...4).contains(field.count), let group = UInt16(field, radix: 16) else { return nil }
                    result.append(group)
                }
            }
            return result
        }

        var all: [UInt16]
        if halves.count == 2 {
            guard let head = groups(halves[0], allowIPv4Tail: false),
                  let tail = groups(halves[1], allowIPv4Tail: true),
                  head.count + tail.count <= 7 else { return nil }
            all = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard let only = groups(halves[0], allowIPv4Tail: true), only.count == 8 else { return nil }
            all = only
        }
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }
}

extension NATIP: CustomStringConvertible {
    /// RFC 5952 text: lowercase, longest run of two or more zero groups as "::",
    /// IPv4-mapped addresses with a dotted tail.
    public var description: String {
        switch self {
        case .v4(let value):
            return "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
        case .v6(let high, let low):
            if high == 0, low >> 32 == 0xFFFF {
                return "::ffff:" + NATIP.v4(UInt32(low & 0xFFFF_FFFF)).description
            }
            let groups = (0..<8).map { index -> UInt16 in
                let half = index < 4 ? high : low
                return UInt16(truncatingIfNeeded: half >> (48 - 16 * UInt64(index % 4)))
            }
            var bestStart = -1, bestLength = 0, index = 0
            while index < 8 {
                guard groups[index] == 0 else { index += 1; continue }
                var end = index
                while end < 8, groups[end] == 0 { end += 1 }
                if end - index > bestLength { bestStart = index; bestLength = end - index }
                index = end
            }
            let hex = groups.map { String($0, radix: 16) }
            if bestLength < 2 { return hex.joined(separator: ":") }
            let head = hex[..<bestStart].joined(separator: ":")
            let tail = hex[(bestStart + bestLength)...].joined(separator: ":")
            return head + "::" + tail
        }
    }
}

/// An IP address and UDP port: a STUN server, a reflexive or relayed
/// address, a TURN peer. Text form "1.2.3.4:5" or "[2001:db8::1]:5".
public struct NATAddress: Hashable, Sendable {
    public var ip: NATIP
    public var port: UInt16

    public init(ip: NATIP, port: UInt16) {
        self.ip = ip
        self.port = port
    }
}

extension NATAddress: LosslessStringConvertible {
    public init?(_ text: String) {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"),
                  let ip = NATIP(text[text.index(after: text.startIndex)..<close]), !ip.isIPv4 else { return nil }
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":"), let port = NATAddress.parsePort(rest.dropFirst()) else { return nil }
            self.init(ip: ip, port: port)
        } else {
            guard let colon = text.lastIndex(of: ":"),
                  let ip = NATIP(text[..<colon]), ip.isIPv4,
                  let port = NATAddress.parsePort(text[text.index(after: colon)...]) else { return nil }
            self.init(ip: ip, port: port)
        }
    }

    private static func parsePort(_ text: Substring) -> UInt16? {
        guard (1...5).contains(text.count), text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return UInt16(text)
    }

    public var description: String {
        switch ip {
        case .v4: return "\(ip):\(port)"
        case .v6: return "[\(ip)]:\(port)"
        }
    }
}

func bigEndianBytes(_ value: UInt64, count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64(count - 1 - $0))) }
}

private extension String {
    /// Splits at "::" (at most meaningfully once; more pieces mean invalid text).
    func components(separatedByDoubleColon _: Void) -> [Substring] {
        var pieces: [Substring] = []
        var start = startIndex
        var index = startIndex
        while index < endIndex {
            let next = self.index(after: index)
            if self[index] == ":", next < endIndex, self[next] == ":" {
                pieces.append(self[start..<index])
                start = self.index(after: next)
                index = start
            } else {
                index = next
            }
        }
        pieces.append(self[start..<endIndex])
        return pieces
    }
}
