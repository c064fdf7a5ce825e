import NIOCore

/// "1.2.3.4:5", "[::1]:5" → a socket address.
enum AddressArgument {
    static func parse(_ text: String) -> SocketAddress? {
        let host: Substring
        let port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        }
        guard let portNumber = Int(port), (0...65535).contains(portNumber) else { return nil }
        return try? SocketAddress(ipAddress: String(host), port: portNumber)
    }
}
