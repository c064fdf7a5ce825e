/// The report for scripts: one JSON object on one line,
/// `{"sharing_can_work":bool,"checks":[{"name","status","detail","fix"}]}`
/// (`fix` is null when there is nothing to do). Written by hand so the key
/// order is stable and documented.
extension DoctorReport {
    public func renderJSON() -> String {
        let rows = checks.map { check in
            "{\"name\":\(Self.quote(check.name)),\"status\":\(Self.quote(check.status.rawValue)),"
                + "\"detail\":\(Self.quote(check.detail)),\"fix\":\(check.fix.map(Self.quote) ?? "null")}"
        }
        return "{\"sharing_can_work\":\(sharingCanWork),\"checks\":[\(rows.joined(separator: ","))]}"
    }

    /// A JSON string literal (RFC 8259 §7): quote, backslash and control
    /// characters escaped; everything else stays UTF-8.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
