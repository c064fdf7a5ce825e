import PixelpassNAT

/// What DHT nodes said our address was (BEP 42's `ip` in their replies):
/// STUN for free, and, when nodes disagree, a sign that the NAT maps each
/// destination to its own port (endpoint-dependent, "symmetric").
public struct ReflexiveObservations: Hashable, Sendable {
    /// Bound on nodes remembered; later reporters are ignored.
    static let capacity = 64

    public enum Mapping: Hashable, Sendable {
        /// Fewer than two nodes have reported.
        case unknown
        /// Two or more nodes saw the same address, and none another.
        case endpointIndependent(NATAddress)
        /// Nodes saw different addresses (sorted).
        case endpointDependent([NATAddress])
    }

    /// The latest report of each node: node address → our address as it saw it.
    public private(set) var reports: [NATAddress: NATAddress] = [:]

    public init() {}

    public var mapping: Mapping {
        let distinct = Set(reports.values).sorted { ($0.ip.bytes, $0.port) < ($1.ip.bytes, $1.port) }
        if distinct.count >= 2 { return .endpointDependent(distinct) }
        if let only = distinct.first, reports.count >= 2 { return .endpointIndependent(only) }
        return .unknown
    }

    /// Whether this is news (a new node, or a node whose view changed).
    mutating func record(_ seen: NATAddress, reportedBy node: NATAddress) -> Bool {
        guard reports[node] != seen else { return false }
        guard reports[node] != nil || reports.count < ReflexiveObservations.capacity else { return false }
        reports[node] = seen
        return true
    }
}

private func < (lhs: ([UInt8], UInt16), rhs: ([UInt8], UInt16)) -> Bool {
    lhs.0.lexicographicallyPrecedes(rhs.0) || (lhs.0 == rhs.0 && lhs.1 < rhs.1)
}
