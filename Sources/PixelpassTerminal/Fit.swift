/// Cuts plain text to a terminal width (one column per character; the status
/// shows ASCII plus a few symbols), ending with "…" when cut.
public func fit(_ text: String, _ width: Int) -> String {
    guard width > 0 else { return "" }
    guard text.count > width else { return text }
    return String(text.prefix(max(0, width - 1))) + "…"
}

/// Pads or cuts to exactly `width` columns, for table cells.
public func cell(_ text: String, _ width: Int) -> String {
    let cut = fit(text, width)
    return cut + String(repeating: " ", count: max(0, width - cut.count))
}

/// Word-wraps text into lines of at most `width` columns (long words are cut
/// into pieces), for messages that must be read whole.
public func wrap(_ text: String, _ width: Int) -> [String] {
    guard width > 0 else { return [] }
    var lines: [String] = []
    var current = ""
    for word in text.split(separator: " ", omittingEmptySubsequences: true) {
        var word = Substring(word)
        while word.count > width {
            if !current.isEmpty { lines.append(current); current = "" }
            lines.append(String(word.prefix(width)))
            word = word.dropFirst(width)
        }
        if current.isEmpty {
            current = String(word)
        } else if current.count + 1 + word.count <= width {
            current += " " + word
        } else {
            lines.append(current)
            current = String(word)
        }
    }
    if !current.isEmpty { lines.append(current) }
    return lines
}
