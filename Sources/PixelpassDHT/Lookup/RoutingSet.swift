import PixelpassNAT

/// The nodes this client knows: a small set (not a full Kademlia table,
/// since a read-only client serves nobody), for seeding lookups and for
/// the cache file of good nodes.
struct RoutingSet: Hashable, Sendable {
    struct Entry: Hashable, Sendable {
        var id: NodeID?
        /// Monotonic time of the last answer; nil if it never answered.
        var lastAnswered: UInt64?
        /// Timeouts since the last answer.
        var failures = 0
    }

    let ownID: NodeID
    let capacity: Int
    private(set) var entries: [NATAddress: Entry] = [:]

    init(ownID: NodeID, capacity: Int = 256) {
        self.ownID = ownID
        self.capacity = capacity
    }

    /// A node named in someone's reply: not yet known to be alive.
    mutating func heard(_ node: NodeInfo) {
        if entries[node.address] != nil { return }
        entries[node.address] = Entry(id: node.id)
        evictIfFull()
    }

    mutating func answered(_ address: NATAddress, id: NodeID, now: UInt64) {
        entries[address] = Entry(id: id, lastAnswered: now, failures: 0)
        evictIfFull()
    }

    /// Forgets a node whatever its record (an address we must not query).
    mutating func remove(_ address: NATAddress) {
        entries[address] = nil
    }

    /// A node that never answered goes at once; one that did gets a second chance.
    mutating func failed(_ address: NATAddress) {
        guard var entry = entries[address] else { return }
        entry.failures += 1
        if entry.lastAnswered == nil || entry.failures >= 2 {
            entries[address] = nil
        } else {
            entries[address] = entry
        }
    }

    /// Up to `count` nodes with ids, closest to `target` first; nodes that
    /// have just failed come last.
    func closest(to target: NodeID, count: Int) -> [NodeInfo] {
        entries.compactMap { address, entry in entry.id.map { (NodeInfo(id: $0, address: address), entry.failures) } }
            .sorted { ($0.1, $0.0.id.distance(to: target)) < ($1.1, $1.0.id.distance(to: target)) }
            .prefix(count)
            .map(\.0)
    }

    /// Nodes that answered, most recent first.
    func answeredRecently(limit: Int) -> [NATAddress] {
        entries.compactMap { address, entry in entry.lastAnswered.map { (address, $0) } }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.description < $1.0.description }
            .prefix(limit)
            .map(\.0)
    }

    /// Drops the worst node: one that never answered before one that did,
    /// then the longest silent, then the farthest from us.
    private mutating func evictIfFull() {
        guard entries.count > capacity else { return }
        func badness(_ entry: Entry) -> (Int, UInt64, NodeID) {
            (entry.lastAnswered == nil ? 1 : 0, UInt64.max - (entry.lastAnswered ?? 0),
             entry.id?.distance(to: ownID) ?? NodeID.farthest)
        }
        if let victim = entries.max(by: { badness($0.value) < badness($1.value) }) { entries[victim.key] = nil }
    }
}
