/// A candidate address (IP and UDP port) where a viewer may reach the host.
public struct TicketAddress: Hashable, Sendable, CustomStringConvertible {
    public enum Host: Hashable, Sendable {
        /// 4 bytes, network order.
        case ipv4([UInt8])
        /// 16 bytes, network order.
        case ipv6([UInt8])
    }

    public var host: Host
    public var port: UInt16

    public init(host: Host, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Parses "1.2.3.4:5678" or "[::1]:5678". Nil for host names, zone ids
    /// ("fe80::1%eth0": a zone cannot travel to another machine), a missing
    /// port, or port 0 (nothing can be reached there).
    public init?(_ text: String) {
        let text = Substring(text)
        let hostText: Substring
        let portText: Substring
        let host: Host
        if text.first == "[" {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let afterClose = text.index(after: close)
            guard afterClose < text.endIndex, text[afterClose] == ":" else { return nil }
            hostText = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(after: afterClose)...]
            guard let bytes = IPAddressText.parseIPv6(hostText) else { return nil }
            host = .ipv6(bytes)
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            hostText = text[..<colon]
            portText = text[text.index(after: colon)...]
            guard let bytes = IPAddressText.parseIPv4(hostText) else { return nil }
            host = .ipv4(bytes)
        }
        guard let port = IPAddressText.parsePort(portText) else { return nil }
        self.init(host: host, port: port)
    }

    /// "1.2.3.4", or an IPv6 address in RFC 5952 form ("::1"), without brackets.
    public var hostString: String {
        switch host {
        case .ipv4(let bytes): return IPAddressText.formatIPv4(bytes)
        case .ipv6(let bytes): return IPAddressText.formatIPv6(bytes)
        }
    }

    /// "1.2.3.4:5678" or "[::1]:5678"; `init?(_:)` reads it back.
    public var description: String {
        switch host {
        case .ipv4: return "\(hostString):\(port)"
        case .ipv6: return "[\(hostString)]:\(port)"
        }
    }
}

extension TicketAddress {
    /// 127.0.0.0/8 or ::1: an address only this machine can reach, useless
    /// to a friend elsewhere.
    public var isLoopback: Bool {
        switch host {
        case .ipv4(let bytes): return bytes.first == 127
        case .ipv6(let bytes): return bytes == [UInt8](repeating: 0, count: 15) + [1]
        }
    }
}
