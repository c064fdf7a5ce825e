import Foundation

/// "Did you mean …" for misspelt keys and tables (and, on the command
/// line, subcommands).
public enum ConfigSuggestion {
    /// The candidate closest to `word`, if it is close enough to be a typo:
    /// the same ignoring case and `-`/`_`, or at most one edit away (two for
    /// words of five or more letters), counting a swap of neighbours as one.
    public static func closest(to word: String, among candidates: [String]) -> String? {
        let normal = normalized(word)
        if let same = candidates.first(where: { normalized($0) == normal }) { return same }
        let limit = normal.count >= 5 ? 2 : 1
        let scored = candidates.map { ($0, editDistance(normal, normalized($0))) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= limit else { return nil }
        return best.0
    }

    private static func normalized(_ word: String) -> String {
        word.lowercased().replacingOccurrences(of: "-", with: "_")
    }

    /// Optimal string alignment distance (Levenshtein plus adjacent swaps).
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var table = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var best = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    best = min(best, table[i - 2][j - 2] + 1)
                }
                table[i][j] = best
            }
        }
        return table[a.count][b.count]
    }
}
