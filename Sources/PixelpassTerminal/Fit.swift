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

