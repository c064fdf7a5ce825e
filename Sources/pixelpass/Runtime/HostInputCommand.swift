import Foundation

/// A line on `host`'s stdin, typed by a person ("a", "d", "new-ticket") or
/// sent by a program ("allow 3f2a0001", `{"command":"deny","viewer":"3f2a0001"}`).
enum HostInputCommand: Equatable {
    /// Let a waiting viewer in or turn it away; nil: the one that asked first.
    case answer(allow: Bool, viewerID: String?)
    /// Remove a viewer for the rest of the share.
    case kick(viewerID: String)
    /// A new secret: the old ticket stops working (viewers watching stay).
    case newTicket

    /// nil for a line that is not a command.
    init?(line: String) {
        let text = line.trimmingCharacters(in: .whitespacesAndNewlines)
        let verb: String
        let viewer: String?
        if text.hasPrefix("{") {
            guard let data = text.data(using: .utf8),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let command = object["command"] as? String else { return nil }
            verb = command
            viewer = object["viewer"] as? String
        } else {
            let words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard let first = words.first, words.count <= 2 else { return nil }
            verb = first
            viewer = words.count == 2 ? words[1] : nil
        }
        switch verb.lowercased() {
        case "a", "allow", "y", "yes": self = .answer(allow: true, viewerID: viewer)
        case "d", "deny", "n", "no": self = .answer(allow: false, viewerID: viewer)
        case "kick":
            guard let viewer else { return nil }
            self = .kick(viewerID: viewer)
        case "r", "new-ticket", "new_ticket":
            guard viewer == nil else { return nil }
            self = .newTicket
        default: return nil
        }
    }
}
