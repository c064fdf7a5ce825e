/// A long text shown a screenful at a time (the doctor's report): which
/// lines fit under a header and above a footer, moved by the scroll keys.
/// Pure: the caller draws `visible(rows:)` and feeds keys to `handle`.
public struct ScrollView: Sendable, Equatable {
    public private(set) var lines: [String]
    /// Index of the first line shown.
    public private(set) var top = 0

    public enum Outcome: Equatable, Sendable {
        case scrolled
        /// A key that does not scroll: q, Esc and any other leave; Ctrl+C quits.
        case leave
        case interrupted
    }

    public init(_ lines: [String]) { self.lines = lines }

    /// The lines shown in `rows` rows.
    public func visible(rows: Int) -> ArraySlice<String> {
        let rows = max(1, rows)
        let top = min(self.top, maxTop(rows: rows))
        return lines[top..<min(lines.count, top + rows)]
    }

    /// "lines 1–20 of 54" when the text does not fit, else nil.
    public func position(rows: Int) -> String? {
        guard lines.count > rows else { return nil }
        let shown = visible(rows: rows)
        return "lines \(shown.startIndex + 1)–\(shown.endIndex) of \(lines.count)"
    }

    public mutating func handle(_ key: Key, rows: Int) -> Outcome {
        let rows = max(1, rows)
        top = min(top, maxTop(rows: rows))
        switch key {
        case .up: top = max(0, top - 1)
        case .down: top = min(maxTop(rows: rows), top + 1)
        case .pageUp: top = max(0, top - rows)
        case .pageDown: top = min(maxTop(rows: rows), top + rows)
        case .home: top = 0
        case .end: top = maxTop(rows: rows)
        case .left, .right: break  // nothing to scroll sideways: the report fits 80 columns
        case .interrupt: return .interrupted
        case .enter, .backspace, .escape, .tab, .endOfInput, .clearLine, .character, .paste:
            return .leave
        }
        return .scrolled
    }

    private func maxTop(rows: Int) -> Int { max(0, lines.count - rows) }
}
