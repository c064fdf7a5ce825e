/// Finds the line of every key and `[table]` header in TOML text.
///
/// The TOML library reports lines for syntax errors only, but a value error
/// ("fps must be …") must name the line too. This scanner runs only on text
/// the library has already accepted, so it can be lenient: it understands
/// just enough (strings, arrays, inline tables, comments) to skip values that
/// span several lines and never mistake their contents for keys.
struct TOMLKeyLines {
    private var lines: [[String]: Int] = [:]
    private let text: [Unicode.Scalar]
    private var index = 0
    private var line = 1

    private init(_ text: String) {
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }  // a byte-order mark is not part of the first key
        self.text = scalars
    }

    /// Key path (table names, then the key) → 1-based line of its first
    /// mention. Dotted keys record each prefix too, so `host.fps = 1`
    /// gives both `["host"]` and `["host", "fps"]`.
    static func scan(_ text: String) -> [[String]: Int] {
        var scanner = TOMLKeyLines(text)
        scanner.scanDocument()
        return scanner.lines
    }

    /// The line of `path`, or of its nearest enclosing key that has one
    /// (keys inside an inline table are not recorded separately).
    static func line(of path: [String], in lines: [[String]: Int]) -> Int? {
        var prefix = path
        while !prefix.isEmpty {
            if let line = lines[prefix] { return line }
            prefix.removeLast()
        }
        return nil
    }

    // MARK: - Statements

    private mutating func scanDocument() {
        var table: [String] = []
        while true {
            skipBlankAndComments()
            guard let scalar = peek() else { return }
            let statementLine = line
            if scalar == "[" {
                advance()
                if peek() == "[" { advance() }  // [[array of tables]]
                table = dottedKey()
                record(table, from: 1, at: statementLine)
            } else {
                let key = dottedKey()
                guard !key.isEmpty, peek() == "=" else {
                    skipRestOfLine()
                    continue
                }
                advance()
                record(table + key, from: table.count + 1, at: statementLine)
                skipValue()
            }
            skipRestOfLine()
        }
    }

    private mutating func record(_ path: [String], from start: Int, at line: Int) {
        guard start <= path.count else { return }
        for length in max(start, 1)...path.count where lines[Array(path.prefix(length))] == nil {
            lines[Array(path.prefix(length))] = line
        }
    }

    // MARK: - Keys

    /// `a.b."c d".'e'` up to (not including) `=` or `]`.
    private mutating func dottedKey() -> [String] {
        var parts: [String] = []
        while true {
            skipSpaces()
            guard let scalar = peek() else { return parts }
            switch scalar {
            case "\"": parts.append(basicString())
            case "'": parts.append(literalString())
            default:
                var bare = String.UnicodeScalarView()
                while let next = peek(), !" \t\r\n.=]#".unicodeScalars.contains(next) {
                    bare.append(next)
                    advance()
                }
                guard !bare.isEmpty else { return parts }
                parts.append(String(bare))
            }
            skipSpaces()
            guard peek() == "." else { return parts }
            advance()
        }
    }

    // MARK: - Values

    private mutating func skipValue() {
        skipSpaces()
        guard let scalar = peek() else { return }
        switch scalar {
        case "\"":
            if lookingAt("\"\"\"") { skipMultilineString(quote: "\"", escapes: true) } else { _ = basicString() }
        case "'":
            if lookingAt("'''") { skipMultilineString(quote: "'", escapes: false) } else { _ = literalString() }
        case "[":
            advance()
            while true {
                skipBlankAndComments()
                guard let next = peek() else { return }
                if next == "]" { advance(); return }
                if next == "," { advance(); continue }
                let before = index
                skipValue()
                if index == before { advance() }  // never stall on something unexpected
            }
        case "{":
            advance()
            while true {
                skipBlankAndComments()
                guard let next = peek() else { return }
                if next == "}" { advance(); return }
                if next == "," { advance(); continue }
                let before = index
                _ = dottedKey()
                if peek() == "=" { advance() }
                skipValue()
                if index == before { advance() }
            }
        default:
            // Numbers, booleans, dates: up to whatever ends a value.
            while let next = peek(), !" \t\r\n,]}#".unicodeScalars.contains(next) { advance() }
        }
    }

    private mutating func basicString() -> String {
        advance()  // opening quote
        var result = String.UnicodeScalarView()
        while let scalar = peek(), scalar != "\n" {
            advance()
            if scalar == "\"" { break }
            if scalar == "\\", let escaped = peek() {
                advance()
                // Keys with escapes are rare; the common ones decode, the
                // rest stay as written (a miss only costs the exact line).
                switch escaped {
                case "n": result.append("\n")
                case "t": result.append("\t")
                default: result.append(escaped)
                }
                continue
            }
            result.append(scalar)
        }
        return String(result)
    }

    private mutating func literalString() -> String {
        advance()
        var result = String.UnicodeScalarView()
        while let scalar = peek(), scalar != "\n" {
            advance()
            if scalar == "'" { break }
            result.append(scalar)
        }
        return String(result)
    }

    private mutating func skipMultilineString(quote: Unicode.Scalar, escapes: Bool) {
        advance(3)
        while let scalar = peek() {
            if escapes && scalar == "\\" {
                advance(2)
                continue
            }
            if scalar == quote && lookingAt(String(repeating: String(quote), count: 3)) {
                advance(3)
                // A closing delimiter may be preceded by up to two quotes of the content.
                var extra = 0
                while extra < 2 && peek() == quote { advance(); extra += 1 }
                return
            }
            advance()
        }
    }

    // MARK: - Characters

    private func peek() -> Unicode.Scalar? {
        index < text.count ? text[index] : nil
    }

    private func lookingAt(_ literal: String) -> Bool {
        let scalars = Array(literal.unicodeScalars)
        guard index + scalars.count <= text.count else { return false }
        return Array(text[index..<index + scalars.count]) == scalars
    }

    private mutating func advance(_ count: Int = 1) {
        for _ in 0..<count where index < text.count {
            if text[index] == "\n" { line += 1 }
            index += 1
        }
    }

    private mutating func skipSpaces() {
        while let scalar = peek(), scalar == " " || scalar == "\t" { advance() }
    }

    private mutating func skipRestOfLine() {
        while let scalar = peek(), scalar != "\n" { advance() }
    }

    private mutating func skipBlankAndComments() {
        while let scalar = peek() {
            switch scalar {
            case " ", "\t", "\r", "\n": advance()
            case "#": skipRestOfLine()
            default: return
            }
        }
    }
}
