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

    /// The command within two edits (a typo, a swap), or one that the word starts.
    static func closest(to word: String) -> String? {
        if let prefixed = commands.first(where: { word.count >= 2 && $0.hasPrefix(word) }) { return prefixed }
        let scored = commands.map { ($0, distance(word, $0)) }.filter { $0.1 <= min(2, max(1, $0.0.count / 3)) }
        return scored.min { $0.1 < $1.1 }?.0
    }

    /// Optimal string alignment distance: insertions, deletions,
    /// substitutions and swaps of neighbours each cost one.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var d = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
