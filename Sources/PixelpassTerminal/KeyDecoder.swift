/// Turns the bytes a terminal sends in raw mode into keys. Pure and
/// incremental: a sequence split across reads is completed by the next one.
///
/// Pastes are recognised two ways: bracketed paste (`ESC [200~ … ESC [201~`,
/// which the menu turns on) and, for terminals without it, a run of at least
/// `pasteThreshold` printable characters arriving in one read. A newline
/// right after a paste belongs to the paste (it is not a separate Enter, which
/// would otherwise choose something on the next screen).
public struct KeyDecoder: Sendable {
    public static let pasteThreshold = 16
    private var pending: [UInt8] = []
    private var pasteBuffer: [UInt8]?

    public init() {}

    public mutating func feed(_ bytes: [UInt8]) -> [Key] {
        pending += bytes
        var keys: [Key] = []
        var index = 0
        var printableRun: [UInt8] = []
        var runIsPaste = false

        func flushRun() {
            guard !printableRun.isEmpty else { return }
            let text = String(decoding: printableRun, as: UTF8.self)
            if printableRun.count >= Self.pasteThreshold {
                keys.append(.paste(text))
                runIsPaste = true
            } else {
                keys += text.map { .character($0) }
            }
            printableRun.removeAll()
        }

        while index < pending.count {
            if pasteBuffer != nil {
                if let end = Self.find(Self.pasteEnd, in: pending, from: index) {
                    pasteBuffer! += pending[index..<end]
                    let text = String(decoding: pasteBuffer!, as: UTF8.self).trimmingNewlines
                    keys.append(.paste(text))
                    runIsPaste = true
                    pasteBuffer = nil
                    index = end + Self.pasteEnd.count
                    continue
                }
                // Keep a possible partial end marker for the next read.
                let keep = min(Self.pasteEnd.count - 1, pending.count - index)
                pasteBuffer! += pending[index..<(pending.count - keep)]
                pending = Array(pending[(pending.count - keep)...])
                return keys
            }
            let byte = pending[index]
            if byte >= 0x20 && byte != 0x7f {
                // Printable, including UTF-8 continuation bytes.
                printableRun.append(byte)
                index += 1
                continue
            }
            flushRun()
            if byte == 0x1b {
                switch Self.escapeSequence(pending, at: index) {
                case .incomplete:
                    pending = Array(pending[index...])
                    return keys
                case .key(let key, let length):
                    if let key { keys.append(key) }
                    index += length
                case .pasteStart(let length):
                    pasteBuffer = []
                    index += length
                }
                continue
            }
            index += 1
            switch byte {
            case 0x0d, 0x0a:
                // "\r\n" is one Enter; a newline ending a paste is part of it.
                if byte == 0x0a, index >= 2, pending[index - 2] == 0x0d { continue }
                if runIsPaste { runIsPaste = false; continue }
                keys.append(.enter)
            case 0x7f, 0x08: keys.append(.backspace)
            case 0x03: keys.append(.interrupt)
            case 0x04: keys.append(.endOfInput)
            case 0x09: keys.append(.tab)
            case 0x15: keys.append(.clearLine)
            default: break
            }
        }
        flushRun()
        pending.removeAll()
        return keys
    }

    private static let pasteStart: [UInt8] = Array("\u{1b}[200~".utf8)
    private static let pasteEnd: [UInt8] = Array("\u{1b}[201~".utf8)

    private enum Escape {
        case incomplete
        case key(Key?, length: Int)
        case pasteStart(length: Int)
    }

    /// Decodes the escape sequence at `start` (which holds ESC).
    private static func escapeSequence(_ bytes: [UInt8], at start: Int) -> Escape {
        let rest = bytes.count - start
        // A lone ESC at the end of a read is the Escape key: terminals send
        // whole sequences in one write.
        if rest == 1 { return .key(.escape, length: 1) }
        let second = bytes[start + 1]
        guard second == UInt8(ascii: "[") || second == UInt8(ascii: "O") else {
            return .key(.escape, length: 1)
        }
        // CSI: parameters and intermediates, then one final byte 0x40–0x7e.
        var end = start + 2
        while end < bytes.count {
            let byte = bytes[end]
            if (0x40...0x7e).contains(byte) && !(second == UInt8(ascii: "[") && byte == UInt8(ascii: "[") && end == start + 2) {
                break
            }
            end += 1
        }
        guard end < bytes.count else { return .incomplete }
        let length = end - start + 1
        let sequence = Array(bytes[start...end])
        if sequence == pasteStart { return .pasteStart(length: length) }
        switch bytes[end] {
        case UInt8(ascii: "A"): return .key(.up, length: length)
        case UInt8(ascii: "B"): return .key(.down, length: length)
        case UInt8(ascii: "C"): return .key(.right, length: length)
        case UInt8(ascii: "D"): return .key(.left, length: length)
        case UInt8(ascii: "H"): return .key(.home, length: length)
        case UInt8(ascii: "F"): return .key(.end, length: length)
        case UInt8(ascii: "~"): return .key(editingKey(sequence), length: length)
        default: return .key(nil, length: length)  // F-keys…: ignored
        }
    }

    /// `ESC [ n ~`: Home and End as xterm (1, 4) and rxvt (7, 8) send them, PgUp 5, PgDn 6.
    private static func editingKey(_ sequence: [UInt8]) -> Key? {
        switch String(decoding: sequence.dropFirst(2).dropLast(), as: UTF8.self) {
        case "1", "7": return .home
        case "4", "8": return .end
        case "5": return .pageUp
        case "6": return .pageDown
        default: return nil  // Insert, Delete, F-keys: ignored
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard haystack.count - start >= needle.count else { return nil }
        for index in start...(haystack.count - needle.count) where haystack[index..<(index + needle.count)].elementsEqual(needle) {
            return index
        }
        return nil
    }
}

private extension String {
    var trimmingNewlines: String {
        var text = Substring(self)
        while let last = text.last, last.isNewline { text.removeLast() }
        while let first = text.first, first.isNewline { text.removeFirst() }
        return String(text)
    }
}
