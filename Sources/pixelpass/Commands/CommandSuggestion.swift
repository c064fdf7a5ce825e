import PixelpassCore

/// "Did you mean" for a mistyped subcommand, which otherwise reads as a bad ticket.
enum CommandSuggestion {
    static let commands = ["host", "view", "ticket", "doctor", "config", "completions", "apps", "repair", "help"]

    /// A short word of letters, not something pasted: a ticket has digits and a dash.
    static func looksLikeAWord(_ text: String) -> Bool {
        let word = text.trimmingCharacters(in: .whitespaces)
        return (1...20).contains(word.count) && word.allSatisfy { $0.isLetter || $0 == "-" }
            && !word.lowercased().hasPrefix("pixelpass")
    }

    /// For a word close to a command; other words keep the ticket's own error.
    static func message(for text: String) -> String {
        let word = text.trimmingCharacters(in: .whitespaces)
        let match = closest(to: word.lowercased()) ?? "--help"
        return "\"\(word)\" is neither a pixelpass command nor a ticket. Did you mean \"pixelpass \(match)\"?"
    }

    /// The command a typo or a swap away (two for commands of six letters
    /// or more: "hello" is not "help"), or one that the word starts.
    static func closest(to word: String) -> String? {
        if let prefixed = commands.first(where: { word.count >= 2 && $0.hasPrefix(word) }) { return prefixed }
        return commands.map { ($0, ConfigSuggestion.editDistance(word, $0)) }
            .filter { $0.1 <= ($0.0.count >= 6 ? 2 : 1) }
            .min { $0.1 < $1.1 }?.0
    }
}
