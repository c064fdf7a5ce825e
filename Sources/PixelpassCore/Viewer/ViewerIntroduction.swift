import PixelpassTicket

/// Who a viewer says it is, on every request to the host: the ticket's
/// secret, the name the host's user sees (`view --name`), and a key that
/// stays the same across its runs, so a viewer the host kicked stays out
/// when it runs `pixelpass TICKET` again.
public struct ViewerIntroduction: Sendable, Equatable {
    public var name: ViewerName?
    /// Hex of SHA-256 of the secret kept in `ViewerKeyStore` (the secret
    /// itself never leaves this machine).
    public var key: String?

    public init(name: ViewerName? = nil, key: String? = nil) {
        self.name = name
        self.key = key
    }

    func headers(for ticket: Ticket) -> [(String, String)] {
        var headers = [(StreamAPI.secretHeader, ticket.secretHex)]
        if let name { headers.append((StreamAPI.viewerNameHeader, name.text)) }
        if let key { headers.append((StreamAPI.viewerKeyHeader, key)) }
        return headers
    }
}
