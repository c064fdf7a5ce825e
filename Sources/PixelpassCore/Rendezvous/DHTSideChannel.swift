import Logging
import NIOCore
import PixelpassDHT
import PixelpassNAT
import PixelpassTransport

/// The mainline DHT client on the QUIC socket — the thin shell around the
/// `DHTClient` engine: it resolves the bootstrap nodes, feeds the engine
/// datagrams and times, sends what it asks, and calls back per operation.
/// Living on the QUIC socket means the DHT sees exactly the NAT mapping QUIC
/// uses, so an `announce_peer` with `implied_port` publishes that mapping.
///
/// A KRPC message starts with `d`, which is also a valid first byte of a
/// QUIC short header: a datagram is claimed only when it parses as KRPC and
/// the engine expects it (an answer to a query it sent to that node, or a
/// query it must answer). Use on the socket's event loop only.
final class DHTSideChannel: DatagramSideChannel {
    let socket: SharedDatagramSocket
    private var eventLoop: EventLoop { socket.eventLoop }
    private var now: UInt64 { NIODeadline.now().uptimeNanoseconds }

    private var client: DHTClient?
    /// After `stop()`: nothing more is sent or claimed.
    private var stopped = false
    private var timer: Scheduled<Void>?
    private let readyPromise: EventLoopPromise<Void>
    private let cache: DHTNodeCache
    private let logger: Logger

    private struct Handlers {
        var peers: (([NATAddress]) -> Void)?
        var item: ((MutableItem) -> Void)?
        var finished: ((DHTOutcome) -> Void)?
    }
    private var handlers: [DHTOperation: Handlers] = [:]

    /// The bootstrap nodes as resolved (public addresses, once `ready`).
    private(set) var bootstrapNodes: [SocketAddress] = []
    /// Bytes of KRPC sent, for the doctor and the traffic benchmark.
    private(set) var bytesSent = 0
    /// Our address as DHT nodes saw it (BEP 42), newest first.
    private(set) var reflexive: [NATAddress] = []
    /// Called for each address a node says it saw us at.
    var onReflexive: ((NATAddress) -> Void)?

    /// Resolves when the engine runs (bootstrap names looked up, cache read).
    var ready: EventLoopFuture<Void> { readyPromise.futureResult }

    private init(socket: SharedDatagramSocket, cache: DHTNodeCache, logger: Logger) {
        self.socket = socket
        self.cache = cache
        self.logger = logger
        readyPromise = socket.eventLoop.makePromise(of: Void.self)
    }

    /// Joins the DHT through `settings.bootstrap` and the cached nodes, on
    /// `socket` (added as a side channel after those already there).
    static func start(on socket: SharedDatagramSocket, settings: DHTSettings, cache: DHTNodeCache = DHTNodeCache(),
                      logger: Logger) -> DHTSideChannel {
        let channel = DHTSideChannel(socket: socket, cache: cache, logger: logger)
        socket.addSideChannel(channel)
        let family = socket.localAddress.protocol
        // Held until the names resolve (two seconds at most): the ready
        // promise must be kept.
        ServerResolver.resolve(settings.bootstrap, timeout: 2, on: socket.eventLoop).whenSuccess { resolved in
            guard !channel.stopped else { return channel.readyPromise.succeed(()) }
            channel.bootstrapNodes = resolved.map(\.1).filter { $0.protocol == family }
            let bootstrap = channel.bootstrapNodes.compactMap(\.natAddress)
            let cached = cache.load().filter { ($0.ip.isIPv4) == (family == .inet) }
            channel.logger.debug("DHT: joining through \(bootstrap.count) bootstrap node(s) and \(cached.count) cached")
            let configuration = DHTClient.Configuration(family: family == .inet ? .v4 : .v6, bootstrap: bootstrap,
                                                        cachedNodes: cached,
                                                        localPort: UInt16(socket.localAddress.port ?? 0))
            var client = DHTClient(configuration: configuration, random: SystemRandomNumberGenerator())
            let actions = client.start(now: channel.now)
            channel.client = client
            channel.perform(actions)
            channel.readyPromise.succeed(())
        }
        return channel
    }

    /// True once any node has answered.
    var isReachable: Bool { client?.isReachable ?? false }

    /// What the nodes' reports say about our NAT's mapping.
    var mapping: ReflexiveObservations.Mapping { client?.reflexive.mapping ?? .unknown }

    // MARK: - Operations (after `ready`)

    /// Publishes our mapped address under `infoHash`; `onPeers` gets peers
    /// already stored there.
    func announce(_ infoHash: NodeID, onPeers: (([NATAddress]) -> Void)? = nil,
                  onFinished: ((DHTOutcome) -> Void)? = nil) {
        operate(Handlers(peers: onPeers, finished: onFinished)) { client, now in client.announce(infoHash, now: now) }
    }

    /// Looks for peers stored under `infoHash` (cheap when asked again).
    func getPeers(_ infoHash: NodeID, fresh: Bool = false, onPeers: @escaping ([NATAddress]) -> Void,
                  onFinished: ((DHTOutcome) -> Void)? = nil) {
        operate(Handlers(peers: onPeers, finished: onFinished)) { client, now in
            client.getPeers(infoHash, fresh: fresh, now: now)
        }
    }

    /// Stores a signed mutable item (BEP 44).
    func put(_ item: MutableItem, keyPair: Ed25519KeyPair, onFinished: ((DHTOutcome) -> Void)? = nil) {
        operate(Handlers(finished: onFinished)) { client, now in client.put(item, keyPair: keyPair, now: now) }
    }

    /// Fetches the newest verified mutable item for (key, salt).
    func get(publicKey: [UInt8], salt: [UInt8], onItem: @escaping (MutableItem) -> Void,
             onFinished: ((DHTOutcome) -> Void)? = nil) {
        operate(Handlers(item: onItem, finished: onFinished)) { client, now in
            client.get(publicKey: publicKey, salt: salt, now: now)
        }
    }

    /// Never sends DHT queries to `ip` at any port (where our peer is).
    func avoid(ip: NATIP) {
        if client != nil {
            client?.avoid(ip: ip)
        } else {
            ready.whenSuccess { [weak self] in self?.client?.avoid(ip: ip) }
        }
    }

    /// Never sends DHT queries to `address` (a peer we punch toward).
    func avoid(_ address: SocketAddress) {
        guard let node = address.natAddress else { return }
        if client != nil {
            client?.avoid(node)
        } else {
            ready.whenSuccess { [weak self] in self?.client?.avoid(node) }
        }
    }

    /// Stops every operation and the timer, and keeps the good nodes for
    /// the next start.
    func stop() {
        guard !stopped else { return }
        stopped = true
        timer?.cancel()
        timer = nil
        handlers.removeAll()
        if let client { cache.save(client.knownGoodNodes) }
    }

    private func operate(_ callbacks: Handlers,
                         _ body: @escaping (inout DHTClient, UInt64) -> (DHTOperation, [DHTAction])) {
        ready.whenSuccess { [weak self] in
            guard let self, !self.stopped, var client = self.client else { return }
            let (operation, actions) = body(&client, self.now)
            self.client = client
            self.handlers[operation] = callbacks
            self.perform(actions)
        }
    }

    // MARK: - Engine actions

    private func perform(_ actions: [DHTAction]) {
        for action in actions {
            switch action {
            case .send(let bytes, let node):
                guard let address = node.socketAddress else { continue }
                bytesSent += bytes.count
                socket.send(bytes, to: address)
            case .setTimer(let deadline):
                timer?.cancel()
                timer = eventLoop.scheduleTask(deadline: .uptimeNanoseconds(deadline)) { [weak self] in
                    guard let self, !self.stopped, var client = self.client else { return }
                    let next = client.timerFired(now: self.now)
                    self.client = client
                    self.perform(next)
                }
            case .peers(let operation, let peers):
                handlers[operation]?.peers?(peers)
            case .item(let operation, let item):
                handlers[operation]?.item?(item)
            case .finished(let operation, let outcome):
                let finished = handlers.removeValue(forKey: operation)?.finished
                finished?(outcome)
            case .reflexiveAddress(let address, let node):
                if !reflexive.contains(address) {
                    logger.debug("DHT: node \(node) sees us at \(address)")
                    reflexive.insert(address, at: 0)
                }
                onReflexive?(address)
            }
        }
    }

    // MARK: - DatagramSideChannel

    func socket(_ socket: SharedDatagramSocket, received datagram: UnsafeRawBufferPointer, from remote: SocketAddress) -> Bool {
        // Every QUIC datagram passes here: a cheap look first, copy only KRPC.
        guard !stopped, Bencode.isPlausibleKRPC(datagram), var client, let from = remote.natAddress else { return false }
        guard let actions = client.received(Array(datagram), from: from, now: now) else { return false }
        self.client = client
        perform(actions)
        return true
    }

    func socket(_ socket: SharedDatagramSocket, carries remote: SocketAddress) -> Bool { false }

    func socket(_ socket: SharedDatagramSocket, relay datagram: UnsafeRawBufferPointer, to remote: SocketAddress) {}
}
