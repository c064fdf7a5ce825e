/// The header block of a request as the server received it.
public struct HTTP3RequestHead: Sendable {
    public var method = ""
    public var path = ""
    public var authority = ""
    /// Regular header fields, names lowercased by HTTP/3.
    public var headers: [(name: String, value: String)] = []

    public init() {}

    public func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }

    /// The path without its query string.
    public var pathOnly: String { String(path.split(separator: "?", maxSplits: 1).first ?? "") }

    /// Query parameters in order of appearance (no percent-decoding beyond
    /// what our own clients send: hex secrets and plain words).
    public var queryItems: [(name: String, value: String)] {
        guard let query = path.split(separator: "?", maxSplits: 1).dropFirst().first else { return [] }
        return query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
    }
}

/// The header block of a response as the client received it.
public struct HTTP3ResponseHead: Sendable {
    public var status = 0
    public var headers: [(name: String, value: String)] = []

    public func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }
}
