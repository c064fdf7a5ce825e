/// The table `pixelpass doctor` prints: fixed columns that fit 80, long
/// details wrapped under their own column, the fix on a line of its own.
extension DoctorReport {
    static let nameWidth = 14
    static let statusWidth = 8
    static let lineWidth = 80

    /// `colour` wraps the status words in ANSI colours (only for a terminal).
    public func renderText(colour: Bool = false) -> String {
        let indent = String(repeating: " ", count: Self.nameWidth + Self.statusWidth)
        let detailWidth = Self.lineWidth - indent.count
        var lines = [Self.pad("CHECK", Self.nameWidth) + Self.pad("STATUS", Self.statusWidth) + "DETAIL"]
        for check in checks {
            let status = Self.pad(check.status.word, Self.statusWidth)
            let head = Self.pad(check.name, Self.nameWidth) + (colour ? Self.coloured(status, check.status) : status)
            var body = wordWrap(check.detail, width: detailWidth)
            if let fix = check.fix {
                body += wordWrap("fix: " + fix, width: detailWidth)
            }
            lines.append(head + (body.first ?? ""))
            lines += body.dropFirst().map { indent + $0 }
        }
        lines.append("")
        lines.append(sharingCanWork
            ? "Sharing can work here."
            : "Sharing cannot work here yet: fix the FAIL rows above.")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Pads to `width` with at least one space after, even for a long text.
    static func pad(_ text: String, _ width: Int) -> String {
        text.count < width ? text + String(repeating: " ", count: width - text.count) : text + " "
    }

    static func coloured(_ padded: String, _ status: DoctorStatus) -> String {
        let code: String
        switch status {
        case .ok: code = "32"
        case .warning: code = "33"
        case .fail: code = "1;31"
        case .info: code = "36"
        }
        // Colour the word only, not the padding after it.
        let word = padded.trimmingTrailingSpaces()
        return "\u{1B}[\(code)m\(word)\u{1B}[0m" + String(repeating: " ", count: padded.count - word.count)
    }
}

private extension String {
    func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
