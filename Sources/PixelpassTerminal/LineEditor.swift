/// A one-line text field (the ticket prompt). Pure.
public struct LineEditor: Sendable, Equatable {
    public enum Outcome: Equatable, Sendable {
        case edited
        /// Enter, or a paste (a pasted ticket is checked at once).
        case submitted(String)
        case cancelled
        case interrupted
    }

    public private(set) var text = ""

    public init() {}

    public mutating func clear() { text = "" }

    public mutating func handle(_ key: Key) -> Outcome {
        switch key {
        case .character(let character):
            text.append(character)
            return .edited
        case .paste(let pasted):
            text += pasted
            return .submitted(text.trimmingWhitespace)
        case .backspace:
            if !text.isEmpty { text.removeLast() }
            return .edited
        case .clearLine:
            text = ""
            return .edited
        case .enter:
            return .submitted(text.trimmingWhitespace)
        case .escape, .endOfInput:
            return .cancelled
        case .interrupt:
            return .interrupted
        case .up, .down, .left, .right, .tab, .pageUp, .pageDown, .home, .end:
            return .edited
        }
    }
}

extension String {
    var trimmingWhitespace: String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
