import PixelpassNAT

/// A read-only BitTorrent mainline DHT client (BEP 5, 32, 42, 43, 44) as a
/// pure engine: datagrams and timer expiries go in, datagrams to send, one
/// timer deadline and results come out. It never reads a clock and owns no
/// socket; the caller sends `.send` datagrams from the socket whose NAT
/// mapping it wants published (the QUIC socket), re-arms its one timer at
/// each `.setTimer` and feeds back every datagram that may be KRPC.
///
///     public struct DHTClient: Sendable
///       init(configuration: Configuration, random: some RandomNumberGenerator & Sendable)
///       var nodeID: NodeID { get }
///       mutating func start(now: UInt64) -> [DHTAction]
///       mutating func received(_ datagram: [UInt8], from: NATAddress, now: UInt64) -> [DHTAction]?
///       mutating func timerFired(now: UInt64) -> [DHTAction]
///       mutating func announce(_ infoHash: NodeID, now: UInt64) -> (DHTOperation, [DHTAction])
///       mutating func getPeers(_ infoHash: NodeID, now: UInt64) -> (DHTOperation, [DHTAction])
///       mutating func put(_ item: MutableItem, keyPair: Ed25519KeyPair, now: UInt64) -> (DHTOperation, [DHTAction])
///       mutating func get(publicKey: [UInt8], salt: [UInt8], now: UInt64) -> (DHTOperation, [DHTAction])
///       mutating func cancel(_ operation: DHTOperation) -> [DHTAction]
///       var knownGoodNodes: [NATAddress] { get }
///       var reflexive: ReflexiveObservations { get }   // .mapping: .unknown / .endpointIndependent / .endpointDependent
///       var isReachable: Bool { get }
///
/// Times are monotonic nanoseconds. Every operation ends with exactly one
/// `.finished` (unless cancelled): `.unreachable` when no node answered at
/// all, otherwise `.done(respondedNodes:)`, which for `announce` and `put`
/// counts the nodes that acknowledged the store and for lookups the nodes
/// that answered. Along the way `getPeers`/`announce` report `.peers` (each
/// address once per operation) and `get` reports `.item` for each verified
/// item with a higher seq than the last.
///
/// Lookups keep the `k` closest candidates by XOR distance, with at most
/// `alpha` queries out, and end when the `k` closest live candidates have
/// all answered; a query unanswered after `queryTimeout` fails that node.
/// All sends share one limit, `maxQueriesPerSecond` in any one-second
/// window; queries beyond it wait in a queue. Once a lookup for a target has found its closest
/// nodes, `getPeers` of the same target asks only the `pollWidth` closest
/// that answered (one round trip: a host's once-a-second poll stays cheap).
///
/// As a read-only node (BEP 43, `ro=1` on every query) it answers no
/// query at all, so no node lists it as a node (see `answer`).
public struct DHTClient: Sendable {
    public struct Configuration: Hashable, Sendable {
        /// Our id; random when nil.
        public var nodeID: NodeID?
        /// The family this instance talks; addresses of the other one are ignored.
        public var family: DHTAddressFamily
        /// Resolved bootstrap routers (router.bittorrent.com and friends).
        public var bootstrap: [NATAddress]
        /// Good nodes saved from an earlier run (`knownGoodNodes`).
        public var cachedNodes: [NATAddress]
        /// Nanoseconds before an unanswered query fails its node.
        public var queryTimeout: UInt64
        /// Sends (queries and answers together) in any one-second window.
        public var maxQueriesPerSecond: Int
        /// Queries in flight per lookup.
        public var alpha: Int
        /// Closest nodes a lookup settles on, and stores to.
        public var k: Int
        /// Nodes a repeated `getPeers` asks.
        public var pollWidth: Int
        /// `port` in announce_peer, for nodes that ignore `implied_port`
        /// (the reflexive port is used instead when nodes agree on one).
        public var localPort: UInt16

        public init(nodeID: NodeID? = nil, family: DHTAddressFamily = .v4, bootstrap: [NATAddress],
                    cachedNodes: [NATAddress] = [], queryTimeout: UInt64 = 1_500_000_000,
                    maxQueriesPerSecond: Int = 50, alpha: Int = 3, k: Int = 8, pollWidth: Int = 3,
                    localPort: UInt16 = 0) {
            self.nodeID = nodeID
            self.family = family
            self.bootstrap = bootstrap
            self.cachedNodes = cachedNodes
            self.queryTimeout = queryTimeout
            self.maxQueriesPerSecond = maxQueriesPerSecond
            self.alpha = alpha
            self.k = k
            self.pollWidth = pollWidth
            self.localPort = localPort
        }
    }

    /// Our `v`: "PP" and a two-byte version.
    static let version: [UInt8] = Array("PP".utf8) + [0, 1]

    public let configuration: Configuration
    public let nodeID: NodeID
    public internal(set) var reflexive = ReflexiveObservations()
    /// Any node has ever answered.
    public internal(set) var isReachable = false

    var random: any RandomNumberGenerator & Sendable
    var routing: RoutingSet
    /// Bootstrap and cached addresses, our family only, without duplicates.
    let seeds: [NATAddress]
    var lookups: [DHTOperation: Lookup] = [:]
    var pending: [PendingKey: PendingQuery] = [:]
    var queue: [QueuedQuery] = []
    var limiter: RateLimiter
    var armedTimer: UInt64?
    var nextOperation: UInt64 = 1
    var transactionCounter: UInt16 = 0
    /// The closest answering nodes of finished lookups, per target, for polls.
    var closestByTarget: [NodeID: [NodeInfo]] = [:]
    static let closestCacheLimit = 32

    public init(configuration: Configuration, random: some RandomNumberGenerator & Sendable) {
        var random = random
        self.configuration = configuration
        self.nodeID = configuration.nodeID ?? NodeID.random(using: &random)
        self.random = random
        self.routing = RoutingSet(ownID: nodeID)
        self.limiter = RateLimiter(limit: configuration.maxQueriesPerSecond)
        var seeds: [NATAddress] = []
        for address in configuration.cachedNodes + configuration.bootstrap
        where configuration.family.contains(address) && address.port != 0 && !seeds.contains(address) {
            seeds.append(address)
        }
        self.seeds = seeds
    }

    /// Addresses never to query, even when nodes list them: our peer's,
    /// while we punch toward it. Real DHT nodes may list a pixelpass host
    /// as a node, and a query that reached the peer's NAT before the peer
    /// had sent toward us would make it give the peer another port.
    public private(set) var avoided: Set<NATAddress> = []

    /// Hosts never to query at any port: the IP our peer was last seen at
    /// (a host behind it may be listed as a node at a port we do not know
    /// to avoid yet).
    public private(set) var avoidedIPs: Set<NATIP> = []

    public mutating func avoid(ip: NATIP) {
        guard avoidedIPs.insert(ip).inserted else { return }
        let addresses = Set(lookups.values.flatMap { $0.candidates.map(\.address) } + queue.map(\.address))
        for address in addresses where address.ip == ip { avoid(address) }
    }

    /// Also drops it where it is already a candidate or waits in the queue
    /// (the queries it was sent, if any, are out; they time out as usual).
    public mutating func avoid(_ address: NATAddress) {
        guard avoided.insert(address).inserted else { return }
        for operation in Array(lookups.keys) { lookups[operation]?.forget(address) }
        queue.removeAll { $0.address == address }
        routing.remove(address)
    }

    /// Nodes that answered, most recent first, for a cache file.
    public var knownGoodNodes: [NATAddress] { routing.answeredRecently(limit: 64) }

    /// A lookup of our own id, to fill the routing set.
    public mutating func start(now: UInt64) -> [DHTAction] {
        begin(Lookup(target: nodeID, kind: .bootstrap), now: now).1
    }

    /// Finds peers of `infoHash` and announces us (our source address, via
    /// `implied_port`) to the `k` closest nodes that gave tokens.
    public mutating func announce(_ infoHash: NodeID, now: UInt64) -> (DHTOperation, [DHTAction]) {
        begin(Lookup(target: infoHash, kind: .announce), now: now)
    }

    /// Peers of `infoHash`; a repeat of a finished lookup only polls, unless
    /// `fresh` asks for a whole lookup again (the closest nodes an early
    /// lookup found, with few nodes known yet, may not be the true ones).
    public mutating func getPeers(_ infoHash: NodeID, fresh: Bool = false, now: UInt64) -> (DHTOperation, [DHTAction]) {
        let known = fresh ? [] : (closestByTarget[infoHash] ?? []).prefix(max(1, configuration.pollWidth))
        guard !known.isEmpty else { return begin(Lookup(target: infoHash, kind: .getPeers), now: now) }
        var lookup = Lookup(target: infoHash, kind: .getPeers, isPoll: true)
        for node in known { lookup.add(node.address, id: node.id) }
        return begin(lookup, now: now)
    }

    /// Stores `item` at the `k` closest nodes of its target. `keyPair` must
    /// be the item's key: when nodes already hold a seq at or above the
    /// item's (and not this very item), it is signed again at the highest
    /// seq seen plus one.
    public mutating func put(_ item: MutableItem, keyPair: Ed25519KeyPair, now: UInt64) -> (DHTOperation, [DHTAction]) {
        begin(Lookup(target: item.target, kind: .put(item, keyPair)), now: now)
    }

    /// The verified item under SHA-1(publicKey ‖ salt) with the highest seq.
    public mutating func get(publicKey: [UInt8], salt: [UInt8], now: UInt64) -> (DHTOperation, [DHTAction]) {
        let target = MutableItem.target(publicKey: publicKey, salt: salt)
        return begin(Lookup(target: target, kind: .get(publicKey: publicKey, salt: salt)), now: now)
    }

    /// Forgets the operation: no more actions for it. Its queries still out
    /// are answered into the routing set only.
    public mutating func cancel(_ operation: DHTOperation) -> [DHTAction] {
        lookups[operation] = nil
        queue.removeAll { $0.operation == operation }
        return rearm(now: nil)
    }

    private mutating func begin(_ lookup: Lookup, now: UInt64) -> (DHTOperation, [DHTAction]) {
        let operation = DHTOperation(rawValue: nextOperation)
        nextOperation += 1
        var lookup = lookup
        if !lookup.isPoll { seed(&lookup) }
        lookups[operation] = lookup
        var actions = advance(operation, now: now)
        actions += flushQueue(now: now)
        actions += rearm(now: now)
        return (operation, actions)
    }

    /// The closest known nodes, then (if those are fewer than `k`) the
    /// bootstrap and cached addresses.
    func seed(_ lookup: inout Lookup) {
        let known = routing.closest(to: lookup.target, count: configuration.k)
        for node in known { lookup.add(node.address, id: node.id) }
        if known.count < configuration.k { addSeeds(&lookup) }
    }

    func addSeeds(_ lookup: inout Lookup) {
        lookup.seeded = true
        for address in seeds { lookup.add(address, id: routing.entries[address]?.id) }
    }
}

/// Names one `announce`, `getPeers`, `put` or `get` in the actions it causes.
public struct DHTOperation: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64

    public var description: String { "dht-op-\(rawValue)" }
}

public enum DHTAction: Hashable, Sendable {
    case send([UInt8], to: NATAddress)
    /// Arm (or re-arm) the one timer; call `timerFired` then.
    case setTimer(deadline: UInt64)
    /// Peers newly found by `getPeers` or `announce`.
    case peers(DHTOperation, [NATAddress])
    /// A verified item, newer than any reported before for this `get`.
    case item(DHTOperation, MutableItem)
    case finished(DHTOperation, DHTOutcome)
    /// `node` saw us at this address (BEP 42), first time or changed.
    case reflexiveAddress(NATAddress, reportedBy: NATAddress)
}

public enum DHTOutcome: Hashable, Sendable {
    case done(respondedNodes: Int)
    /// No node answered at all.
    case unreachable
}
