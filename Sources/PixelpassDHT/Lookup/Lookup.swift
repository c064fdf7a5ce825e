import PixelpassNAT

/// One iterative Kademlia lookup toward `target`, and what the operation
/// does once it has found the closest nodes (store a peer or an item).
/// Candidates are kept sorted by XOR distance to the target; nodes whose id
/// is not yet known (bootstrap, cached addresses) sort after all others.
struct Lookup: Hashable, Sendable {
    enum Kind: Hashable, Sendable {
        /// `start`'s own-id lookup that fills the routing set; reports nothing.
        case bootstrap
        case getPeers
        case announce
        case get(publicKey: [UInt8], salt: [UInt8])
        case put(MutableItem, Ed25519KeyPair)
    }

    enum Phase: Hashable, Sendable {
        case searching
        /// Store queries (announce_peer / put) are out; this many await an answer.
        case storing(waiting: Int)
    }

    enum CandidateState: Hashable, Sendable {
        case fresh
        /// Queued behind the rate limit or sent, not yet answered.
        case waiting
        case answered
        case failed
    }

    struct Candidate: Hashable, Sendable {
        var address: NATAddress
        var id: NodeID?
        var state: CandidateState = .fresh
        /// The write token this node gave us for `target`.
        var token: [UInt8]?
    }

    /// Candidates beyond this many are dropped (farthest first).
    static let maxCandidates = 64

    let target: NodeID
    let kind: Kind
    /// A poll asks only the nodes it starts with, once.
    var isPoll: Bool
    var phase: Phase = .searching
    private(set) var candidates: [Candidate] = []
    var responded = 0
    var stored = 0
    /// Whether the configured bootstrap/cached addresses were added.
    var seeded = false
    var peersSeen: Set<NATAddress> = []
    var bestItem: MutableItem?

    init(target: NodeID, kind: Kind, isPoll: Bool = false) {
        self.target = target
        self.kind = kind
        self.isPoll = isPoll
    }

    func index(of address: NATAddress) -> Int? {
        candidates.firstIndex { $0.address == address }
    }

    /// Adds a node unless its address is already a candidate.
    mutating func add(_ address: NATAddress, id: NodeID?) {
        guard index(of: address) == nil else { return }
        let candidate = Candidate(address: address, id: id)
        let position = candidates.firstIndex { isCloser(candidate, than: $0) } ?? candidates.endIndex
        candidates.insert(candidate, at: position)
        if candidates.count > Lookup.maxCandidates,
           let drop = candidates.lastIndex(where: { $0.state == .fresh || $0.state == .failed }) {
            candidates.remove(at: drop)
        }
    }

    /// A candidate never to be asked (still to ask, or waiting in the
    /// queue): it counts as failed.
    mutating func forget(_ address: NATAddress) {
        guard let index = index(of: address), candidates[index].state != .answered else { return }
        candidates[index].state = .failed
    }

    mutating func markWaiting(_ index: Int) {
        candidates[index].state = .waiting
    }

    mutating func markFailed(_ address: NATAddress) {
        guard let index = index(of: address), candidates[index].state == .waiting else { return }
        candidates[index].state = .failed
    }

    /// Records an answer; the node's id may be news (a bootstrap node), which re-sorts it.
    mutating func markAnswered(_ address: NATAddress, id: NodeID, token: [UInt8]?) {
        guard let index = index(of: address) else { return }
        var candidate = candidates.remove(at: index)
        candidate.state = .answered
        candidate.id = id
        candidate.token = token
        let position = candidates.firstIndex { isCloser(candidate, than: $0) } ?? candidates.endIndex
        candidates.insert(candidate, at: position)
    }

    /// The `k` closest candidates that have not failed.
    func closestLive(k: Int) -> [Candidate] {
        Array(candidates.lazy.filter { $0.state != .failed }.prefix(k))
    }

    /// Indices of candidates to query now: fresh ones among the `k` closest
    /// live, while fewer than `alpha` queries are out.
    func nextToQuery(k: Int, alpha: Int) -> [Int] {
        var waiting = candidates.count { $0.state == .waiting }
        var picked: [Int] = []
        var live = 0
        for (index, candidate) in candidates.enumerated() where candidate.state != .failed {
            guard live < k, waiting < alpha else { break }
            live += 1
            if candidate.state == .fresh {
                picked.append(index)
                waiting += 1
            }
        }
        return picked
    }

    /// The `k` closest live candidates have all answered (or there are none left).
    func searchIsDone(k: Int) -> Bool {
        closestLive(k: k).allSatisfy { $0.state == .answered }
    }

    /// Answered nodes with a token, closest first: where to store.
    func storeTargets(k: Int) -> [Candidate] {
        Array(candidates.lazy.filter { $0.state == .answered && $0.token != nil }.prefix(k))
    }

    private func isCloser(_ a: Candidate, than b: Candidate) -> Bool {
        switch (a.id, b.id) {
        case (let a?, let b?): return a.isCloser(to: target, than: b)
        case (.some, nil): return true
        case (nil, _): return false
        }
    }
}
