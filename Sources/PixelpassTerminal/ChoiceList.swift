/// A vertical menu: arrow keys move, Enter chooses, or the item's letter
/// chooses at once. Pure: the screen draws `items` and `selected`.
public struct ChoiceList: Sendable, Equatable {
    public struct Item: Sendable, Equatable {
        public var label: String
        /// Pressing this letter chooses the item (case-insensitive).
        public var letter: Character?
        /// Shown dimmed after the label ("not installed").
        public var note: String?

        public init(_ label: String, letter: Character? = nil, note: String? = nil) {
            self.label = label
            self.letter = letter
            self.note = note
        }
    }

    public enum Outcome: Equatable, Sendable {
        case unchanged
        case moved
        case chosen(Int)
        /// Escape or Ctrl+D: go back.
        case cancelled
        /// Ctrl+C.
        case interrupted
    }

    public var items: [Item]
    public private(set) var selected: Int

    public init(_ items: [Item], selected: Int = 0) {
        precondition(!items.isEmpty, "a menu needs at least one item")
        self.items = items
        self.selected = min(max(0, selected), items.count - 1)
    }

    public mutating func handle(_ key: Key) -> Outcome {
        switch key {
        case .up, .left:
            selected = (selected + items.count - 1) % items.count
            return .moved
        case .home, .pageUp:
            selected = 0
            return .moved
        case .end, .pageDown:
            selected = items.count - 1
            return .moved
        case .down, .right, .tab:
            selected = (selected + 1) % items.count
            return .moved
        case .enter:
            return .chosen(selected)
        case .escape, .endOfInput:
            return .cancelled
        case .interrupt:
            return .interrupted
        case .character(let character):
            if let digit = character.wholeNumberValue, (1...items.count).contains(digit), items.count < 10 {
                selected = digit - 1
                return .chosen(selected)
            }
            let lowered = Character(character.lowercased())
            guard let index = items.firstIndex(where: { $0.letter.map { Character($0.lowercased()) } == lowered }) else {
                return .unchanged
            }
            selected = index
            return .chosen(index)
        case .backspace, .clearLine, .paste:
            return .unchanged
        }
    }
}
