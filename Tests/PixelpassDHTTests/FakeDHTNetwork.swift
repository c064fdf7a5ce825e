import PixelpassNAT
@testable import PixelpassDHT

/// A DHT node as the tests need one: it knows every other node of the
/// simulated network, hands out tokens bound to the requester's address,
/// stores peers by the query's source address when `implied_port` is set,
/// and keeps BEP 44 items whose signature verifies and whose seq grows.
struct FakeDHTNode {
    let id: NodeID
    let address: NATAddress
    /// Answers nothing when true.
    var silent = false
    var peers: [NodeID: [NATAddress]] = [:]
    var items: [NodeID: MutableItem] = [:]
    var queriesByMethod: [String: Int] = [:]

    func token(for requester: NATAddress) -> [UInt8] {
        Array(Digest.sha1(ascii("token \(id) \(requester)")).prefix(8))
    }

    /// The reply to `datagram` from `source`, if any. `network` lists every node.
    mutating func handle(_ datagram: [UInt8], from source: NATAddress, network: [NodeInfo]) -> [UInt8]? {
        guard !silent, let message = try? KRPCMessage(decoding: datagram),
              case .query(_, let query, _) = message.body else { return nil }
        queriesByMethod[query.method, default: 0] += 1
        func closest(to target: NodeID) -> [NodeInfo] {
            Array(network.filter { $0.id != id }.sorted { $0.id.isCloser(to: target, than: $1.id) }.prefix(8))
        }
        var response = KRPCResponse(id: id)
        switch query {
        case .ping:
            break
        case .findNode(let target, _):
            response.nodes = closest(to: target)
        case .getPeers(let infoHash, _):
            response.nodes = closest(to: infoHash)
            response.values = peers[infoHash] ?? []
            response.token = token(for: source)
        case .announcePeer(let infoHash, let port, let impliedPort, let token):
            guard token == self.token(for: source) else { return error(message, 203, "bad token", source) }
            let peer = impliedPort ? source : NATAddress(ip: source.ip, port: port)
            if !(peers[infoHash] ?? []).contains(peer) { peers[infoHash, default: []].append(peer) }
        case .get(let target, _, _):
            response.nodes = closest(to: target)
            response.token = token(for: source)
            if let item = items[target] {
                response.key = item.publicKey
                response.seq = item.seq
                response.signature = item.signature
                response.value = item.value
            }
        case .put(let put):
            guard put.token == token(for: source) else { return error(message, 203, "bad token", source) }
            guard put.item.isValid else { return error(message, 206, "invalid signature", source) }
            if let stored = items[put.item.target] {
                if let cas = put.cas, cas != stored.seq { return error(message, 301, "cas mismatch", source) }
                if put.item.seq < stored.seq || (put.item.seq == stored.seq && put.item != stored) {
                    return error(message, 302, "sequence number less than current", source)
                }
            }
            items[put.item.target] = put.item
        case .other:
            return error(message, 204, "Method Unknown", source)
        }
        return KRPCMessage(transactionID: message.transactionID, body: .response(response),
                           version: ascii("FK\u{0}\u{1}"), requesterAddress: source).encoded
    }

    private func error(_ message: KRPCMessage, _ code: Int64, _ text: String, _ source: NATAddress) -> [UInt8] {
        KRPCMessage(transactionID: message.transactionID, body: .error(KRPCError(code: code, message: text)),
                    requesterAddress: source).encoded
    }
}

/// Clients and fake nodes joined by an in-memory network with a fake clock
/// and a fixed one-way delay. Clients are driven through their actions; the
/// harness keeps each client's one timer, every datagram a client sent and
/// every report it gave.
struct SimulatedDHT {
    struct Sent {
        var time: UInt64
        var from: NATAddress
        var to: NATAddress
        var bytes: [UInt8]
    }

    private struct Delivery {
        var at: UInt64
        var order: Int
        var bytes: [UInt8]
        var from: NATAddress
        var to: NATAddress
    }

    var now: UInt64 = 1_000 * sec
    let delay: UInt64 = 40 * ms
    var nodes: [NATAddress: FakeDHTNode] = [:]
    var clients: [NATAddress: DHTClient] = [:]
    var timers: [NATAddress: UInt64] = [:]
    var sent: [Sent] = []
    /// Datagrams delivered to clients (`from` is the sender, `to` the client).
    var delivered: [Sent] = []
    var reports: [NATAddress: [DHTAction]] = [:]
    /// The source address a node sees for a client's datagram (a NAT);
    /// identity unless set.
    var translate: (_ client: NATAddress, _ destination: NATAddress) -> NATAddress = { client, _ in client }
    private var deliveries: [Delivery] = []
    private var order = 0

    init(nodeCount: Int, seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        for index in 0..<nodeCount {
            let node = FakeDHTNode(id: NodeID.random(using: &random), address: address("192.0.2.\(index + 1):6881"))
            nodes[node.address] = node
        }
    }

    var network: [NodeInfo] {
        nodes.values.map { NodeInfo(id: $0.id, address: $0.address) }.sorted { $0.address.description < $1.address.description }
    }

    /// The `count` nodes whose ids are closest to `target`.
    func closestNodes(to target: NodeID, count: Int) -> [FakeDHTNode] {
        Array(nodes.values.sorted { $0.id.isCloser(to: target, than: $1.id) }.prefix(count))
    }

    mutating func addClient(at address: NATAddress, configuration: DHTClient.Configuration, seed: UInt64) {
        clients[address] = DHTClient(configuration: configuration, random: SeededGenerator(seed: seed))
    }

    /// Runs one client call (given the simulated time) and handles the actions it returns.
    mutating func perform<Result>(_ client: NATAddress,
                                  _ call: (inout DHTClient, UInt64) -> (Result, [DHTAction])) -> Result {
        let (result, actions) = call(&clients[client]!, now)
        apply(actions, of: client)
        return result
    }

    mutating func perform(_ client: NATAddress, _ call: (inout DHTClient, UInt64) -> [DHTAction]) {
        apply(call(&clients[client]!, now), of: client)
    }

    private mutating func apply(_ actions: [DHTAction], of client: NATAddress) {
        for action in actions {
            switch action {
            case .send(let bytes, let to):
                sent.append(Sent(time: now, from: client, to: to, bytes: bytes))
                schedule(bytes, from: translate(client, to), to: to)
            case .setTimer(let deadline):
                timers[client] = deadline
            case .peers, .item, .finished, .reflexiveAddress:
                reports[client, default: []].append(action)
            }
        }
    }

    private mutating func schedule(_ bytes: [UInt8], from: NATAddress, to: NATAddress) {
        order += 1
        deliveries.append(Delivery(at: now + delay, order: order, bytes: bytes, from: from, to: to))
    }

    /// Processes events in time order until `done` holds or `limit` of simulated time passes.
    /// Returns whether `done` held.
    @discardableResult
    mutating func run(for limit: UInt64, until done: (SimulatedDHT) -> Bool = { _ in false }) -> Bool {
        let end = now + limit
        while !done(self) {
            let nextDelivery = deliveries.min { ($0.at, $0.order) < ($1.at, $1.order) }
            let nextTimer = timers.min { ($0.value, $0.key.description) < ($1.value, $1.key.description) }
            let deliveryAt = nextDelivery?.at ?? .max
            let timerAt = nextTimer?.value ?? .max
            guard min(deliveryAt, timerAt) <= end else {
                now = end
                return done(self)
            }
            if let delivery = nextDelivery, deliveryAt <= timerAt {
                deliveries.removeAll { $0.order == delivery.order }
                now = max(now, delivery.at)
                deliver(delivery)
            } else if let (client, at) = nextTimer {
                timers[client] = nil
                now = max(now, at)
                perform(client) { $0.timerFired(now: $1) }
            }
        }
        return true
    }

    private mutating func deliver(_ delivery: Delivery) {
        if nodes[delivery.to] != nil {
            let network = self.network
            if let reply = nodes[delivery.to]!.handle(delivery.bytes, from: delivery.from, network: network) {
                schedule(reply, from: delivery.to, to: delivery.from)
            }
            return
        }
        // To a client: find it by its address or by the address its NAT gave it.
        guard let client = clients.keys.first(where: { $0 == delivery.to || translate($0, delivery.from) == delivery.to })
        else { return }
        let now = self.now
        delivered.append(Sent(time: now, from: delivery.from, to: client, bytes: delivery.bytes))
        if let actions = clients[client]!.received(delivery.bytes, from: delivery.from, now: now) {
            apply(actions, of: client)
        }
    }

    func finished(_ operation: DHTOperation, of client: NATAddress) -> DHTOutcome? {
        for case .finished(let op, let outcome) in reports[client] ?? [] where op == operation { return outcome }
        return nil
    }

    func peers(_ operation: DHTOperation, of client: NATAddress) -> [NATAddress] {
        (reports[client] ?? []).flatMap { action -> [NATAddress] in
            if case .peers(let op, let found) = action, op == operation { found } else { [] }
        }
    }

    func items(_ operation: DHTOperation, of client: NATAddress) -> [MutableItem] {
        (reports[client] ?? []).compactMap { action in
            if case .item(let op, let item) = action, op == operation { item } else { nil }
        }
    }

    /// The method of each query a client sent, in order.
    func queryMethods(from client: NATAddress, since: UInt64) -> [String] {
        sent.filter { $0.from == client && $0.time >= since }.compactMap { sent in
            guard let message = try? KRPCMessage(decoding: sent.bytes),
                  case .query(_, let query, _) = message.body else { return nil }
            return query.method
        }
    }
}
