/// A TURN relay the viewer may use to reach the host, carried in the
/// ticket's relay field: the TURN server, the host's relayed address on it,
/// and short-lived credentials (coturn REST API) for the viewer's own
/// allocation. The relay forwards QUIC ciphertext only.
///
/// Encoding: server address, relayed address (each: family 4 or 6, the
/// address bytes, 2-byte port), then username and password (each: 1-byte
/// length, UTF-8). A server reached over TCP or TLS adds a transport byte
/// (1 TCP, 2 TLS) and the server's name (1-byte length, UTF-8) for TLS to
/// check; UDP adds nothing, so such tickets are as before. Readers ignore
/// bytes after what they know, so older ones read this as UDP, and later
/// additions stay skippable.
public struct TicketRelay: Hashable, Sendable {
    /// How a viewer reaches the TURN server for its own allocation.
    public enum Transport: Hashable, Sendable {
        case udp
        case tcp(serverName: String)
        case tls(serverName: String)
        /// A transport from a later version: this one cannot use the server.
        case unknown(UInt8)
    }

    public var server: TicketAddress
    public var relayed: TicketAddress
    public var username: String
    public var password: String
    public var transport: Transport

    public init(server: TicketAddress, relayed: TicketAddress, username: String, password: String,
                transport: Transport = .udp) {
        self.server = server
        self.relayed = relayed
        self.username = username
        self.password = password
        self.transport = transport
    }

    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        for address in [server, relayed] {
            switch address.host {
            case .ipv4(let bytes): out.append(4); out += bytes
            case .ipv6(let bytes): out.append(6); out += bytes
            }
            out += [UInt8(address.port >> 8), UInt8(address.port & 0xff)]
        }
        func append(_ text: String) {
            let bytes = Array(text.utf8.prefix(255))
            out.append(UInt8(bytes.count))
            out += bytes
        }
        append(username)
        append(password)
        switch transport {
        case .udp: break
        case .tcp(let name): out.append(1); append(name)
        case .tls(let name): out.append(2); append(name)
        case .unknown(let kind): out.append(kind)
        }
        return out
    }

    public init(decoding bytes: [UInt8]) throws {
        var reader = ByteReader(bytes[...])
        func address() throws -> TicketAddress {
            guard let family = reader.readByte() else { throw TicketError.malformed("relay is truncated") }
            let host: TicketAddress.Host
            switch family {
            case 4:
                guard let raw = reader.readBytes(4) else { throw TicketError.malformed("relay is truncated") }
                host = .ipv4(Array(raw))
            case 6:
                guard let raw = reader.readBytes(16) else { throw TicketError.malformed("relay is truncated") }
                host = .ipv6(Array(raw))
            default:
                throw TicketError.malformed("relay has an unknown address family \(family)")
            }
            guard let port = reader.readBytes(2) else { throw TicketError.malformed("relay is truncated") }
            return TicketAddress(host: host, port: UInt16(port[port.startIndex]) << 8 | UInt16(port[port.startIndex + 1]))
        }
        func text() throws -> String {
            guard let count = reader.readByte(), let raw = reader.readBytes(Int(count)) else {
                throw TicketError.malformed("relay is truncated")
            }
            return String(decoding: raw, as: UTF8.self)
        }
        self.init(server: try address(), relayed: try address(), username: try text(), password: try text())
        if let kind = reader.readByte() {
            switch kind {
            case 1: transport = .tcp(serverName: try text())
            case 2: transport = .tls(serverName: try text())
            default: transport = .unknown(kind)
            }
        }
    }
}

extension Ticket {
    /// The relay field decoded (nil without one).
    public var relayInfo: TicketRelay? {
        get throws { try relay.map { try TicketRelay(decoding: $0) } }
    }
}

extension TicketRelay.Transport {
    /// "udp", "tcp", "tls" (or "unknown-N"), as `pixelpass ticket` shows it.
    public var name: String {
        switch self {
        case .udp: return "udp"
        case .tcp: return "tcp"
        case .tls: return "tls"
        case .unknown(let kind): return "unknown-\(kind)"
        }
    }

    /// The name TLS checks the certificate against (TCP keeps it for logs).
    public var serverName: String? {
        switch self {
        case .udp, .unknown: return nil
        case .tcp(let name), .tls(let name): return name
        }
    }
}
