import Foundation

/// An answer to a viewer waiting for approval, typed on stdin by a person
/// ("a", "d") or a program ("allow 3f2a0001", `{"command":"deny","viewer":"3f2a0001"}`).
struct ApprovalCommand: Equatable {
    var allow: Bool
    /// nil: the viewer that has waited longest.
    var viewerID: String?

    /// nil for a line that is not an answer.
    init?(line: String) {
        let text = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("{") {
            guard let data = text.data(using: .utf8),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let command = object["command"] as? String, let allow = Self.verb(command) else { return nil }
            self.allow = allow
            self.viewerID = object["viewer"] as? String
            return
        }
        let words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let first = words.first, words.count <= 2, let allow = Self.verb(first) else { return nil }
        self.allow = allow
        self.viewerID = words.count == 2 ? words[1] : nil
    }

    private static func verb(_ word: String) -> Bool? {
        switch word.lowercased() {
        case "a", "allow", "y", "yes": return true
        case "d", "deny", "n", "no": return false
        default: return nil
        }
    }
}
