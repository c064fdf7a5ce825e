import PixelpassNAT

/// A query we sent, known by its transaction id and the node's address.
struct PendingKey: Hashable, Sendable {
    var transactionID: [UInt8]
    var address: NATAddress
}

struct PendingQuery: Hashable, Sendable {
    enum Purpose: Hashable, Sendable {
        case search
        case store
    }

    var operation: DHTOperation
    var purpose: Purpose
    var deadline: UInt64
}

/// A query waiting for the rate limit.
struct QueuedQuery: Hashable, Sendable {
    var operation: DHTOperation
    var purpose: PendingQuery.Purpose
    var address: NATAddress
    var query: KRPCQuery
}

extension DHTClient {
    // MARK: Events

    /// nil when `datagram` is not a KRPC message for us: not bencode, not
    /// KRPC, or a response/error whose transaction id we did not send to
    /// `source`. Queries from anyone give [] or one `.send`.
    public mutating func received(_ datagram: [UInt8], from source: NATAddress, now: UInt64) -> [DHTAction]? {
        guard Bencode.isPlausibleKRPC(datagram), let message = try? KRPCMessage(decoding: datagram) else {
            return nil
        }
        switch message.body {
        case .query(_, let query, _):
            return answer(query, transactionID: message.transactionID, from: source, now: now)
        case .response(let response):
            let key = PendingKey(transactionID: message.transactionID, address: source)
            guard let query = pending.removeValue(forKey: key) else { return nil }
            var actions = observe(message.requesterAddress, from: source)
            actions += handle(response, to: query, from: source, now: now)
            return actions + flushQueue(now: now) + rearm(now: now)
        case .error:
            let key = PendingKey(transactionID: message.transactionID, address: source)
            guard let query = pending.removeValue(forKey: key) else { return nil }
            var actions = observe(message.requesterAddress, from: source)
            // It answered, so it is alive; but the query did not succeed.
            isReachable = true
            actions += fail(query, address: source, now: now, timedOut: false)
            return actions + flushQueue(now: now) + rearm(now: now)
        }
    }

    public mutating func timerFired(now: UInt64) -> [DHTAction] {
        armedTimer = nil
        let expired = pending.filter { $0.value.deadline <= now }
            .sorted { ($0.value.deadline, $0.key.address.description) < ($1.value.deadline, $1.key.address.description) }
        var actions: [DHTAction] = []
        for (key, query) in expired {
            pending[key] = nil
            actions += fail(query, address: key.address, now: now, timedOut: true)
        }
        return actions + flushQueue(now: now) + rearm(now: now)
    }

    // MARK: Answers to others

    /// Nothing: a read-only client (BEP 43) answers no query, not even a
    /// ping. A node that pings us to check an address it heard of then
    /// never lists us as a node, so no other client sends DHT queries to the
    /// QUIC socket of a host or viewer, which would reach a NAT we are
    /// punching through before our peer has opened it (DESIGN §9). The
    /// query is still claimed, so QUIC never sees it.
    private mutating func answer(_ query: KRPCQuery, transactionID: [UInt8], from source: NATAddress,
                                 now: UInt64) -> [DHTAction] {
        []
    }

    private mutating func observe(_ seen: NATAddress?, from node: NATAddress) -> [DHTAction] {
        guard let seen, reflexive.record(seen, reportedBy: node) else { return [] }
        return [.reflexiveAddress(seen, reportedBy: node)]
    }

    // MARK: Responses

    private mutating func handle(_ response: KRPCResponse, to query: PendingQuery, from source: NATAddress,
                                 now: UInt64) -> [DHTAction] {
        guard response.id != nodeID else {
            return fail(query, address: source, now: now, timedOut: false)
        }
        isReachable = true
        routing.answered(source, id: response.id, now: now)
        // Peers are where someone listens for its peers (for us: the far
        // side of a punch), not DHT nodes: never query them, even when the
        // same answer lists them as nodes too.
        for peer in response.values { avoid(peer) }
        let learned: [NodeInfo]
        switch configuration.family {
        case .v4: learned = response.nodes
        case .v6: learned = response.nodes6
        }
        let usable = learned.filter {
            $0.address.port != 0 && $0.id != nodeID && configuration.family.contains($0.address) && !$0.address.ip.isUnspecified
                && !avoided.contains($0.address) && !avoidedIPs.contains($0.address.ip)
        }
        for node in usable { routing.heard(node) }

        let operation = query.operation
        guard var lookup = lookups[operation] else { return [] }
        var actions: [DHTAction] = []
        switch query.purpose {
        case .store:
            if case .storing(let waiting) = lookup.phase { lookup.phase = .storing(waiting: waiting - 1) }
            lookup.stored += 1
        case .search:
            guard lookup.index(of: source) != nil else { return [] }
            lookup.markAnswered(source, id: response.id, token: response.token)
            lookup.responded += 1
            if !lookup.isPoll {
                for node in usable { lookup.add(node.address, id: node.id) }
            }
            switch lookup.kind {
            case .getPeers, .announce:
                var fresh: [NATAddress] = []
                for peer in response.values where !lookup.peersSeen.contains(peer) && peer.port != 0 {
                    lookup.peersSeen.insert(peer)
                    fresh.append(peer)
                }
                if !fresh.isEmpty { actions.append(.peers(operation, fresh)) }
            case .get(let publicKey, let salt):
                if let item = verifiedItem(response, publicKey: publicKey, salt: salt),
                   item.seq > lookup.bestItem?.seq ?? .min {
                    lookup.bestItem = item
                    actions.append(.item(operation, item))
                }
            case .put(let item, _):
                if let found = verifiedItem(response, publicKey: item.publicKey, salt: item.salt),
                   found.seq > lookup.bestItem?.seq ?? .min {
                    lookup.bestItem = found
                }
            case .bootstrap:
                break
            }
        }
        lookups[operation] = lookup
        return actions + advance(operation, now: now)
    }

    /// The item in a `get` answer, if it is there, is for this key and salt, and verifies.
    private func verifiedItem(_ response: KRPCResponse, publicKey: [UInt8], salt: [UInt8]) -> MutableItem? {
        guard let key = response.key, key == publicKey, let seq = response.seq,
              let signature = response.signature, let value = response.value else { return nil }
        let item = MutableItem(publicKey: key, salt: salt, seq: seq, value: value, signature: signature)
        return item.isValid ? item : nil
    }

    private mutating func fail(_ query: PendingQuery, address: NATAddress, now: UInt64,
                               timedOut: Bool) -> [DHTAction] {
        if timedOut { routing.failed(address) }
        guard var lookup = lookups[query.operation] else { return [] }
        switch query.purpose {
        case .store:
            if case .storing(let waiting) = lookup.phase { lookup.phase = .storing(waiting: waiting - 1) }
        case .search:
            lookup.markFailed(address)
        }
        lookups[query.operation] = lookup
        return advance(query.operation, now: now)
    }

    // MARK: Driving lookups

    /// Queries more nodes, moves on to storing, or finishes.
    mutating func advance(_ operation: DHTOperation, now: UInt64) -> [DHTAction] {
        guard var lookup = lookups[operation] else { return [] }
        let k = max(1, lookup.isPoll ? configuration.pollWidth : configuration.k)
        let alpha = max(1, lookup.isPoll ? configuration.pollWidth : configuration.alpha)
        switch lookup.phase {
        case .searching:
            if lookup.searchIsDone(k: k) {
                if lookup.responded == 0, lookup.isPoll {
                    // The nodes we knew went away: look up afresh.
                    closestByTarget[lookup.target] = nil
                    lookup.isPoll = false
                    seed(&lookup)
                    lookups[operation] = lookup
                    return advance(operation, now: now)
                }
                if lookup.responded == 0, !lookup.seeded, !seeds.isEmpty {
                    // Every known node failed; the bootstrap routers may still answer.
                    addSeeds(&lookup)
                    lookups[operation] = lookup
                    return advance(operation, now: now)
                }
                return searchFinished(operation, lookup, now: now)
            }
            for index in lookup.nextToQuery(k: k, alpha: alpha) {
                lookup.markWaiting(index)
                queue.append(QueuedQuery(operation: operation, purpose: .search,
                                         address: lookup.candidates[index].address, query: searchQuery(for: lookup)))
            }
            lookups[operation] = lookup
            return []
        case .storing(let waiting):
            guard waiting <= 0 else { return [] }
            return finish(operation, outcome: .done(respondedNodes: lookup.stored))
        }
    }

    private func searchQuery(for lookup: Lookup) -> KRPCQuery {
        switch lookup.kind {
        case .bootstrap: return .findNode(target: lookup.target, want: nil)
        case .getPeers, .announce: return .getPeers(infoHash: lookup.target, want: nil)
        case .get, .put: return .get(target: lookup.target, seq: nil, want: nil)
        }
    }

    private mutating func searchFinished(_ operation: DHTOperation, _ lookup: Lookup, now: UInt64) -> [DHTAction] {
        var lookup = lookup
        if !lookup.isPoll, lookup.responded > 0 {
            let closest = lookup.closestLive(k: configuration.k).compactMap { candidate in
                candidate.id.map { NodeInfo(id: $0, address: candidate.address) }
            }
            if closestByTarget.count >= DHTClient.closestCacheLimit, closestByTarget[lookup.target] == nil,
               let oldest = closestByTarget.keys.min() {
                closestByTarget[oldest] = nil
            }
            closestByTarget[lookup.target] = closest
        }
        guard lookup.responded > 0 else { return finish(operation, outcome: .unreachable) }
        let storeQuery: (Lookup.Candidate) -> KRPCQuery
        switch lookup.kind {
        case .bootstrap, .getPeers, .get:
            return finish(operation, outcome: .done(respondedNodes: lookup.responded))
        case .announce:
            let port: UInt16
            if case .endpointIndependent(let mapped) = reflexive.mapping { port = mapped.port } else {
                port = configuration.localPort
            }
            let target = lookup.target
            storeQuery = { .announcePeer(infoHash: target, port: port, impliedPort: true, token: $0.token ?? []) }
        case .put(let item, let keyPair):
            var toStore = item
            if let best = lookup.bestItem, best.seq >= item.seq, best != item,
               let resigned = try? MutableItem(signing: item.value, salt: item.salt, seq: best.seq + 1,
                                               keyPair: keyPair) {
                toStore = resigned
            }
            storeQuery = { .put(KRPCPut(item: toStore, token: $0.token ?? [], cas: nil)) }
        }
        let targets = lookup.storeTargets(k: configuration.k)
        lookup.phase = .storing(waiting: targets.count)
        lookups[operation] = lookup
        for target in targets {
            queue.append(QueuedQuery(operation: operation, purpose: .store, address: target.address,
                                     query: storeQuery(target)))
        }
        return advance(operation, now: now)
    }

    private mutating func finish(_ operation: DHTOperation, outcome: DHTOutcome) -> [DHTAction] {
        guard let lookup = lookups.removeValue(forKey: operation) else { return [] }
        queue.removeAll { $0.operation == operation }
        switch lookup.kind {
        case .bootstrap: return []
        case .getPeers, .announce, .get, .put: return [.finished(operation, outcome)]
        }
    }

    // MARK: Sending

    /// Sends queued queries while the rate limit allows.
    mutating func flushQueue(now: UInt64) -> [DHTAction] {
        var actions: [DHTAction] = []
        while !queue.isEmpty, limiter.allows(now: now) {
            let next = queue.removeFirst()
            guard lookups[next.operation] != nil else { continue }
            let transactionID = makeTransactionID()
            let message = KRPCMessage(transactionID: transactionID,
                                      body: .query(id: nodeID, next.query, readOnly: true),
                                      version: DHTClient.version)
            pending[PendingKey(transactionID: transactionID, address: next.address)] =
                PendingQuery(operation: next.operation, purpose: next.purpose,
                             deadline: now + configuration.queryTimeout)
            limiter.record(now: now)
            actions.append(.send(message.encoded, to: next.address))
        }
        return actions
    }

    /// Two random bytes, then a counter: unique among ours, hard to guess.
    private mutating func makeTransactionID() -> [UInt8] {
        transactionCounter &+= 1
        let noise = UInt16.random(in: .min ... .max, using: &random)
        return [UInt8(noise >> 8), UInt8(noise & 0xFF), UInt8(transactionCounter >> 8), UInt8(transactionCounter & 0xFF)]
    }

    /// A `.setTimer` when the earliest deadline changed: a pending query's
    /// timeout, or the rate limit's next slot while queries wait.
    mutating func rearm(now: UInt64?) -> [DHTAction] {
        var next = pending.values.map(\.deadline).min()
        if !queue.isEmpty, let now, let slot = limiter.nextSlot(now: now) {
            next = min(next ?? .max, slot)
        }
        guard let next, next != armedTimer else { return [] }
        armedTimer = next
        return [.setTimer(deadline: next)]
    }
}

extension NATIP {
    var isUnspecified: Bool {
        switch self {
        case .v4(let value): return value == 0
        case .v6(let high, let low): return high == 0 && low == 0
        }
    }
}
