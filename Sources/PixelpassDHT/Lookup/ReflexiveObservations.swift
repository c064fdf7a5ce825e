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

    /// One node's odd report (a stale view, a hostile node) does not make
    /// a NAT symmetric: that takes three different addresses, or two that
    /// two nodes each agree on. A symmetric NAT gives every node its own.
    public var mapping: Mapping {
        var counts: [NATAddress: Int] = [:]
        for seen in reports.values { counts[seen, default: 0] += 1 }
        let distinct = counts.keys.sorted { ($0.ip.bytes, $0.port) < ($1.ip.bytes, $1.port) }
        let agreed = counts.filter { $0.value >= 2 }
        if distinct.count >= 3 || agreed.count >= 2 { return .endpointDependent(distinct) }
        if let (only, count) = counts.max(by: { $0.value < $1.value }), count >= 2 { return .endpointIndependent(only) }
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
