/// A small, tolerant reader for the XML routers serve (device descriptions,
/// SOAP answers): elements by local name (namespace prefixes ignored), text
/// with the five predefined entities and character references decoded.
/// Not a validating parser; malformed input yields fewer elements, never a crash.
struct XMLScanner {
    struct Element {
        var name: String
        /// Raw content between the start and end tags.
        var inner: Substring
    }

    let text: String

    init(_ text: String) { self.text = text }

    /// Every element with this local name, in document order, outermost first
    /// (an element nested in one of the same name is not listed separately).
    func elements(_ localName: String) -> [Element] { XMLScanner.elements(localName, in: Substring(text)) }

    static func elements(_ localName: String, in text: Substring) -> [Element] {
        var found: [Element] = []
        var cursor = text.startIndex
        while let open = findStartTag(localName, in: text, from: cursor) {
            if open.selfClosing {
                found.append(Element(name: localName, inner: text[open.end..<open.end]))
                cursor = open.end
                continue
            }
            // The matching end tag, counting nested elements of the same name.
            var depth = 1
            var search = open.end
            var closeRange: Range<String.Index>?
            while depth > 0 {
                let nextOpen = findStartTag(localName, in: text, from: search)
                guard let nextClose = findEndTag(localName, in: text, from: search) else { break }
                if let nextOpen, nextOpen.start < nextClose.lowerBound {
                    if !nextOpen.selfClosing { depth += 1 }
                    search = nextOpen.end
                } else {
                    depth -= 1
                    search = nextClose.upperBound
                    if depth == 0 { closeRange = nextClose }
                }
            }
            guard let closeRange else { break }
            found.append(Element(name: localName, inner: text[open.end..<closeRange.lowerBound]))
            cursor = closeRange.upperBound
        }
        return found
    }

    /// The decoded text of the first element with this local name inside `text`.
    static func value(_ localName: String, in text: Substring) -> String? {
        elements(localName, in: text).first.map { decodeText($0.inner) }
    }

    func value(_ localName: String) -> String? { XMLScanner.value(localName, in: Substring(text)) }

    private struct StartTag {
        var start: String.Index
        var end: String.Index
        var selfClosing: Bool
    }

    private static func findStartTag(_ localName: String, in text: Substring, from: String.Index) -> StartTag? {
        var index = from
        while let lt = text[index...].firstIndex(of: "<") {
            let afterLT = text.index(after: lt)
            guard afterLT < text.endIndex else { return nil }
            guard let gt = text[afterLT...].firstIndex(of: ">") else { return nil }
            let first = text[afterLT]
            if first != "/" && first != "?" && first != "!" {
                let tag = text[afterLT..<gt]
                let nameEnd = tag.firstIndex(where: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "/" }) ?? tag.endIndex
                if localPart(tag[..<nameEnd]) == localName {
                    return StartTag(start: lt, end: text.index(after: gt), selfClosing: tag.hasSuffix("/"))
                }
            }
            index = afterLT
        }
        return nil
    }

    private static func findEndTag(_ localName: String, in text: Substring, from: String.Index) -> Range<String.Index>? {
        var index = from
        while let lt = text[index...].firstIndex(of: "<") {
            let afterLT = text.index(after: lt)
            guard afterLT < text.endIndex, let gt = text[afterLT...].firstIndex(of: ">") else { return nil }
            if text[afterLT] == "/" {
                let name = text[text.index(after: afterLT)..<gt].trimmingASCIIWhitespace()
                if localPart(Substring(name)) == localName { return lt..<text.index(after: gt) }
            }
            index = afterLT
        }
        return nil
    }

    private static func localPart(_ name: Substring) -> Substring {
        guard let colon = name.lastIndex(of: ":") else { return name }
        return name[name.index(after: colon)...]
    }

    /// Entities and CDATA decoded, surrounding whitespace trimmed.
    static func decodeText(_ raw: Substring) -> String {
        var out = ""
        var index = raw.startIndex
        while index < raw.endIndex {
            let rest = raw[index...]
            if rest.hasPrefix("<![CDATA["), let end = rest.firstRange(of: "]]>") {
                out += rest[rest.index(rest.startIndex, offsetBy: 9)..<end.lowerBound]
                index = end.upperBound
            } else if raw[index] == "&", let semicolon = rest.firstIndex(of: ";"),
                      rest.distance(from: index, to: semicolon) <= 10 {
                let entity = rest[rest.index(after: index)..<semicolon]
                if let decoded = decodeEntity(entity) {
                    out.append(decoded)
                } else {
                    out += rest[index...semicolon]
                }
                index = rest.index(after: semicolon)
            } else {
                out.append(raw[index])
                index = raw.index(after: index)
            }
        }
        return out.trimmingASCIIWhitespace()
    }

    private static func decodeEntity(_ entity: Substring) -> Character? {
        switch entity {
        case "lt": return "<"
        case "gt": return ">"
        case "amp": return "&"
        case "quot": return "\""
        case "apos": return "'"
        default:
            let scalar: UInt32?
            if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                scalar = UInt32(entity.dropFirst(2), radix: 16)
            } else if entity.hasPrefix("#") {
                scalar = UInt32(entity.dropFirst())
            } else {
                scalar = nil
            }
            return scalar.flatMap(Unicode.Scalar.init).map(Character.init)
        }
    }

    /// Text safe inside an element.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }
}
