/// "HOST:PORT" as the server settings write it: a name or an address (looked
/// up when used), a colon, and a port 1-65535.
enum HostAndPort {
    static func isValid(_ text: String) -> Bool {
        guard let colon = text.lastIndex(of: ":"), colon > text.startIndex,
              let port = Int(text[text.index(after: colon)...]) else { return false }
        return (1...65535).contains(port)
    }
}
