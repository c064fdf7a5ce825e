/// The text around the record: "pixelpass", the format version in decimal,
/// "-", then base32 without padding.
enum TicketText {
    static let name = "pixelpass"

    static func prefix(version: Int) -> String {
        "\(name)\(version)-"
    }

    /// Whitespace anywhere is ignored because chat clients wrap long lines,
    /// and so are the invisible characters some of them insert at wrap points.
    static func isIgnorable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00AD, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF: return true
        default: return scalar.properties.isWhitespace
        }
    }

    /// Checks the prefix and version and returns the base32 digits of the
    /// record. Upper case is accepted throughout.
    static func digits(of text: String) throws -> [UInt8] {
        let scalars = Array(unwrapped(Array(text.unicodeScalars.filter { !isIgnorable($0) })))
        guard !scalars.isEmpty else { throw TicketError.empty }

        var index = 0
        for expected in name.unicodeScalars {
            guard index < scalars.count, asciiLowercased(scalars[index]) == expected else {
                throw TicketError.notATicket
            }
            index += 1
        }

        var version: Int?
        while index < scalars.count, let digit = decimalValue(scalars[index]) {
            // Saturate: an absurd version is still just unsupported.
            let (tens, overflow1) = (version ?? 0).multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = tens.addingReportingOverflow(digit)
            version = overflow1 || overflow2 ? Int.max : sum
            index += 1
        }
        guard let version else {
            if index == scalars.count {
                throw TicketError.truncated(got: 0, expected: TicketRecord.minimumTicketLength)
            }
            throw TicketError.malformed("no version number follows \"\(name)\"")
        }
        guard Ticket.supportedVersions.contains(version) else {
            throw TicketError.unsupportedVersion(version)
        }
        guard index < scalars.count else {
            throw TicketError.truncated(got: 0, expected: TicketRecord.minimumTicketLength)
        }
        guard scalars[index] == "-" else {
            throw TicketError.malformed("\"-\" is missing after \"\(name)\(version)\"")
        }
        index += 1

        var digits: [UInt8] = []
        digits.reserveCapacity(scalars.count - index)
        while index < scalars.count {
            guard let digit = Base32.digit(for: scalars[index]) else {
                throw TicketError.invalidCharacter(Character(scalars[index]), position: index + 1)
            }
            digits.append(digit)
            index += 1
        }
        return digits
    }

    /// What chat apps and people put around a pasted ticket: quotes
    /// (straight, curly, guillemets), backticks of code spans and blocks,
    /// angle brackets (an autolink), brackets, and markdown emphasis.
    /// None of them is a base32 digit, so removing them cannot change a
    /// ticket.
    static func isWrapper(_ scalar: Unicode.Scalar) -> Bool {
        "\"'`<>()[]{}*_~\u{2018}\u{2019}\u{201A}\u{201B}\u{201C}\u{201D}\u{201E}\u{201F}\u{00AB}\u{00BB}\u{2039}\u{203A}\u{300C}\u{300D}"
            .unicodeScalars.contains(scalar)
    }

    /// The end of a sentence the ticket was pasted into.
    static func isTrailingPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        ".,;:!?\u{2026}\u{3002}\u{FF0C}\u{FF01}\u{FF1F}".unicodeScalars.contains(scalar)
    }

    /// The ticket without its wrapping: wrappers are stripped from the
    /// start, wrappers and punctuation from the end (`"pixelpass1-…".`).
    static func unwrapped(_ scalars: [Unicode.Scalar]) -> ArraySlice<Unicode.Scalar> {
        var slice = scalars[...]
        while let first = slice.first, isWrapper(first) { slice.removeFirst() }
        while let last = slice.last, isWrapper(last) || isTrailingPunctuation(last) { slice.removeLast() }
        return slice
    }

    private static func asciiLowercased(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        guard (0x41...0x5A).contains(scalar.value), let lower = Unicode.Scalar(scalar.value + 0x20) else {
            return scalar
        }
        return lower
    }

    private static func decimalValue(_ scalar: Unicode.Scalar) -> Int? {
        guard (0x30...0x39).contains(scalar.value) else { return nil }
        return Int(scalar.value - 0x30)
    }
}
