/// Who may take a seat: viewers the host kicked stay out for the rest of
/// the share (by their certificate, which a viewer keeps between runs),
/// and with `--approve` each new viewer waits for the host's answer.
/// Pure: the host feeds it requests and answers and acts on the verdicts.
struct ViewerGate: Equatable {
    /// A viewer waiting for the host's answer.
    struct Request: Equatable, Sendable {
        var id: String
        var name: String?
        var address: String
    }

    enum Verdict: Equatable {
        case pass
        /// Kicked earlier in this share.
        case banned
        /// Waiting for an answer; `ask` is true the first time (show the question).
        case wait(ask: Bool)
    }

    var approvalRequired: Bool
    /// Viewer keys (certificate fingerprints) kept out.
    private(set) var banned: Set<String> = []
    /// Viewer keys the host let in this share.
    private(set) var allowed: Set<String> = []
    /// Waiting viewers by key, and their keys in the order they asked.
    private(set) var pending: [String: Request] = [:]
    private(set) var pendingOrder: [String] = []

    init(approvalRequired: Bool) {
        self.approvalRequired = approvalRequired
    }

    /// What a request from the viewer with this key meets.
    mutating func check(key: String, _ request: Request) -> Verdict {
        if banned.contains(key) { return .banned }
        if !approvalRequired || allowed.contains(key) { return .pass }
        if pending[key] != nil { return .wait(ask: false) }
        pending[key] = request
        pendingOrder.append(key)
        return .wait(ask: true)
    }

    /// The host's answer about the waiting viewer with this short id:
    /// its key, or nil if no such viewer waits.
    mutating func answer(id: String, allow: Bool) -> String? {
        guard let key = pendingOrder.first(where: { pending[$0]?.id == id }) else { return nil }
        withdraw(key: key)
        if allow { allowed.insert(key) }
        return key
    }

    /// A waiting viewer went away: true if it was waiting.
    @discardableResult
    mutating func withdraw(key: String) -> Bool {
        guard pending.removeValue(forKey: key) != nil else { return false }
        pendingOrder.removeAll { $0 == key }
        return true
    }

    /// Kicked: out for the rest of the share, even with a new connection.
    mutating func ban(key: String) {
        banned.insert(key)
        allowed.remove(key)
        withdraw(key: key)
    }

    /// Approval turned off lets everyone waiting in; returns their keys.
    mutating func setApprovalRequired(_ required: Bool) -> [String] {
        approvalRequired = required
        guard !required else { return [] }
        let waiting = pendingOrder
        for key in waiting { allowed.insert(key) }
        pending.removeAll()
        pendingOrder.removeAll()
        return waiting
    }

    /// The waiting viewers, first asked first.
    var waiting: [Request] { pendingOrder.compactMap { pending[$0] } }
}
