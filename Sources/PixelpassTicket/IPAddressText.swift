/// Text forms of IP addresses, written here rather than taken from
/// `inet_pton`/`inet_ntop` so the codec stays pure Swift and behaves the same
/// on every platform.
enum IPAddressText {
    /// Strict dotted quad: four decimal parts 0-255 without leading zeros,
    /// because "010" means 8 to some parsers and 10 to others.
    static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count),
                  part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  part.count == 1 || part.first != "0",
                  let value = UInt8(part) else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    /// RFC 4291 text: eight hex groups, at most one "::", and an optional
    /// dotted-quad tail ("::ffff:1.2.3.4").
    static func parseIPv6(_ text: Substring) -> [UInt8]? {
        let head: Substring
        let tail: Substring?
        if let gap = text.firstRange(of: "::") {
            head = text[..<gap.lowerBound]
            tail = text[gap.upperBound...]
        } else {
            head = text
            tail = nil
        }
        // A dotted quad may only end the address: "1.2.3.4::" is not valid.
        guard let headGroups = parseGroups(head, dottedTailAllowed: tail == nil) else { return nil }
        var groups = headGroups
        if let tail {
            guard let tailGroups = parseGroups(tail, dottedTailAllowed: true) else { return nil }
            // "::" stands for at least one zero group.
            let missing = 8 - headGroups.count - tailGroups.count
            guard missing >= 1 else { return nil }
            groups += Array(repeating: 0, count: missing) + tailGroups
        }
        guard groups.count == 8 else { return nil }
        return groups.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }

    /// Colon-separated hex groups; an empty text is no groups.
    private static func parseGroups(_ text: Substring, dottedTailAllowed: Bool) -> [UInt16]? {
        guard !text.isEmpty else { return [] }
        let pieces = text.split(separator: ":", omittingEmptySubsequences: false)
        var groups: [UInt16] = []
        for (index, piece) in pieces.enumerated() {
            if piece.contains(".") {
                guard dottedTailAllowed, index == pieces.count - 1,
                      let quad = parseIPv4(piece) else { return nil }
                groups.append(UInt16(quad[0]) << 8 | UInt16(quad[1]))
                groups.append(UInt16(quad[2]) << 8 | UInt16(quad[3]))
            } else {
                guard (1...4).contains(piece.count),
                      piece.allSatisfy({ $0.isASCII && $0.isHexDigit }),
                      let value = UInt16(piece, radix: 16) else { return nil }
                groups.append(value)
            }
        }
        return groups
    }

    /// Decimal 1-65535.
    static func parsePort(_ text: Substring) -> UInt16? {
        guard (1...5).contains(text.count),
              text.allSatisfy({ $0.isASCII && $0.isNumber }),
              let port = UInt16(text), port != 0 else { return nil }
        return port
    }

    static func formatIPv4(_ bytes: [UInt8]) -> String {
        bytes.map(String.init).joined(separator: ".")
    }

    /// RFC 5952: lowercase, no leading zeros, the longest run (first on a
    /// tie) of two or more zero groups as "::", IPv4-mapped in dotted form.
    static func formatIPv6(_ bytes: [UInt8]) -> String {
        guard bytes.count == 16 else { return hexString(bytes) }
        let groups = (0..<8).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
        if groups[0..<5].allSatisfy({ $0 == 0 }) && groups[5] == 0xFFFF {
            return "::ffff:" + formatIPv4(Array(bytes[12..<16]))
        }

        var best: Range<Int>? = nil
        var index = 0
        while index < 8 {
            guard groups[index] == 0 else { index += 1; continue }
            var end = index
            while end < 8 && groups[end] == 0 { end += 1 }
            if end - index >= 2 && end - index > (best?.count ?? 0) {
                best = index..<end
            }
            index = end
        }

        func hex(_ range: Range<Int>) -> String {
            groups[range].map { String($0, radix: 16) }.joined(separator: ":")
        }
        guard let best else { return hex(0..<8) }
        return hex(0..<best.lowerBound) + "::" + hex(best.upperBound..<8)
    }
}
