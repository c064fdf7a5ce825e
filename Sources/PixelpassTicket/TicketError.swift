/// Why a pasted text is not a usable ticket. Each case tells a different
/// story to the user: a ticket cut short needs copying again, a typo needs a
/// fresh copy rather than retyping, a newer format needs an update.
public enum TicketError: Error, Equatable, CustomStringConvertible {
    /// Nothing but whitespace was pasted.
    case empty
    /// The text does not start with "pixelpass".
    case notATicket
    /// The text starts "pixelpassN-" with an N this build cannot read.
    case unsupportedVersion(Int)
    /// A character that never appears in a ticket. `position` is 1-based and
    /// counts the ticket's own characters from the "p" of "pixelpass",
    /// skipping the whitespace that parsing ignores.
    case invalidCharacter(Character, position: Int)
    /// The text holds fewer bytes than the record says it has. When even the
    /// length is missing, `expected` is the size of the smallest ticket.
    case truncated(got: Int, expected: Int)
    /// The text is complete but a checksum does not match: a typo or an edit.
    case checksumMismatch
    /// The checksums match but the content breaks the format, which means
    /// the host's pixelpass wrote a bad ticket. The text names the field.
    case malformed(String)

    public var description: String {
        switch self {
        case .empty:
            return "The ticket is empty: paste the whole line the host printed, starting with \"pixelpass\(Ticket.version)-\"."
        case .notATicket:
            return "This is not a pixelpass ticket: paste the whole line the host printed, starting with \"pixelpass\(Ticket.version)-\"."
        case .unsupportedVersion(let version):
            let known = Ticket.supportedVersions.map(String.init).joined(separator: ", ")
            let plural = Ticket.supportedVersions.count == 1 ? "version" : "versions"
            return "This ticket uses format version \(version), but this pixelpass reads only \(plural) \(known): update pixelpass to the same release as the host."
        case .invalidCharacter(let character, let position):
            return "This ticket has \(Self.quoted(character)) at position \(position), but tickets use only letters and the digits 2 to 7: copy the ticket again instead of retyping it."
        case .truncated(let got, let expected):
            return "This ticket is truncated (got \(got) of \(expected) bytes): copy the whole line again."
        case .checksumMismatch:
            return "This ticket has a typo or was altered (its checksum does not match): copy it again instead of retyping it."
        case .malformed(let detail):
            return "This ticket is malformed (\(detail)): copy exactly the line the host printed, or ask the host for a new ticket."
        }
    }

    /// Printable characters in quotes; anything invisible or odd as U+XXXX so
    /// the user can tell what to look for.
    private static func quoted(_ character: Character) -> String {
        if let ascii = character.asciiValue, (0x21...0x7E).contains(ascii) {
            return "\"\(character)\""
        }
        return character.unicodeScalars.map { scalar in
            let hex = String(scalar.value, radix: 16, uppercase: true)
            return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }.joined(separator: " ")
    }
}
