import PixelpassNAT

/// Which IP family a DHT instance talks: BEP 5's IPv4 DHT or BEP 32's IPv6 one.
public enum DHTAddressFamily: Hashable, Sendable {
    case v4
    case v6

    func contains(_ address: NATAddress) -> Bool {
        switch self {
        case .v4: return address.ip.isIPv4
        case .v6: return !address.ip.isIPv4
        }
    }
}

/// A node as `nodes` / `nodes6` carry it: id, then address, then port.
struct NodeInfo: Hashable, Sendable {
    var id: NodeID
    var address: NATAddress
}

/// "Compact" encodings of BEP 5 and BEP 32: ip ‖ port (6 or 18 bytes) for
/// peers and BEP 42's `ip`; id ‖ ip ‖ port (26 or 38 bytes) for nodes.
enum CompactAddress {
    static func encode(_ address: NATAddress) -> [UInt8] {
        address.ip.bytes + [UInt8(address.port >> 8), UInt8(address.port & 0xFF)]
    }

    /// 6 or 18 bytes.
    static func decode(_ bytes: some Collection<UInt8>) -> NATAddress? {
        let array = Array(bytes)
        guard array.count == 6 || array.count == 18, let ip = NATIP(bytes: array.dropLast(2)) else { return nil }
        return NATAddress(ip: ip, port: UInt16(array[array.count - 2]) << 8 | UInt16(array[array.count - 1]))
    }

    static func encodeNodes(_ nodes: [NodeInfo]) -> [UInt8] {
        nodes.flatMap { $0.id.bytes + encode($0.address) }
    }

    /// Whole 26-byte (IPv4) or 38-byte (IPv6) entries; a short tail is ignored.
    static func decodeNodes(_ bytes: [UInt8], family: DHTAddressFamily) -> [NodeInfo] {
        let entryLength: Int
        switch family {
        case .v4: entryLength = 26
        case .v6: entryLength = 38
        }
        return stride(from: 0, through: bytes.count - entryLength, by: entryLength).compactMap { start in
            guard let id = NodeID(bytes: bytes[start..<start + 20]),
                  let address = decode(bytes[start + 20..<start + entryLength]) else { return nil }
            return NodeInfo(id: id, address: address)
        }
    }
}
