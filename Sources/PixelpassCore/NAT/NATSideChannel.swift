import Foundation
import Logging
import NIOCore
import PixelpassNAT
import PixelpassTransport

/// STUN discovery and a TURN allocation on the QUIC socket — the thin shell
/// around `STUNBindingDiscovery` and `TURNClient`: it feeds them datagrams and
/// times, sends what they ask, and carries QUIC packets for relayed remotes
/// through the allocation. Datagrams from the TURN server belong to TURN
/// (ChannelData looks like a QUIC short header, so the source decides),
/// other STUN messages to discovery, everything else to QUIC. The TURN
/// server may instead be reached over TCP or TLS (`TURNServerConnection`);
/// its messages then come from that stream, and the rest is the same.
/// Use on the socket's event loop only.
final class NATSideChannel: DatagramSideChannel {
    let socket: SharedDatagramSocket
    private var eventLoop: EventLoop { socket.eventLoop }
    private var now: UInt64 { NIODeadline.now().uptimeNanoseconds }

    private var discovery: STUNBindingDiscovery?
    private var discoveryTimer: Scheduled<Void>?
    private var discoveryPromise: EventLoopPromise<[NATAddress]>?
    private var discovered: [NATAddress] = []
    /// How many STUN servers answered (several seeing different ports means
    /// a symmetric NAT).
    private(set) var stunAnswers = 0

    private var turn: TURNClient?
    private var turnConnection: TURNServerConnection?
    private var turnTimer: Scheduled<Void>?
    private var allocationPromise: EventLoopPromise<NATAddress>?
    private var releasePromise: EventLoopPromise<Void>?
    /// Remotes whose QUIC packets travel through the relay.
    private var relayedRemotes: Set<SocketAddress> = []
    /// QUIC packets for the relay sent before the allocation was ready.
    private var pending: [([UInt8], NATAddress)] = []
    private static let pendingLimit = 64

    /// The TTL of our openers: 2 behind one NAT, 3 behind a CGNAT as well.
    var openerTTL = OpenerTTL.standard {
        didSet { for session in punches.values { session.openerTTL = openerTTL } }
    }
    /// Punching sessions by token (the host may punch toward several viewers).
    private var punches: [[UInt8]: HolePunchSession] = [:]
    /// Our address as the TURN server saw it (a reflexive candidate).
    private(set) var mappedAddress: NATAddress?

    /// The allocation went away after it was made (server restart, refresh
    /// refused): relayed viewers will time out unless they find another path.
    var onRelayLost: ((String) -> Void)?

    let logger: Logger

    init(socket: SharedDatagramSocket, logger: Logger) {
        self.socket = socket
        self.logger = logger
    }

    // MARK: - Discovery

    /// Asks every server for our address as it sees us; completes with what
    /// answered by `deadline` seconds (never later).
    func discover(servers: [SocketAddress], deadline: Double) -> EventLoopFuture<[NATAddress]> {
        let targets = servers.compactMap(\.natAddress)
        guard !targets.isEmpty else { return eventLoop.makeSucceededFuture([]) }
        let promise = eventLoop.makePromise(of: [NATAddress].self)
        discoveryPromise = promise
        var machine = STUNBindingDiscovery(servers: targets, configuration: .init(deadline: UInt64(deadline * 1e9)))
        let actions = machine.start(now: now)
        discovery = machine
        performDiscovery(actions)
        return promise.futureResult
    }

    private func performDiscovery(_ actions: [STUNBindingDiscovery.Action]) {
        for action in actions {
            switch action {
            case .send(let bytes, let server):
                if let address = server.socketAddress { socket.send(bytes, to: address) }
            case .setTimer(let deadline):
                discoveryTimer?.cancel()
                discoveryTimer = eventLoop.scheduleTask(deadline: .uptimeNanoseconds(deadline)) { [weak self] in
                    guard let self, var machine = self.discovery else { return }
                    let next = machine.timerFired(now: self.now)
                    self.discovery = machine
                    self.performDiscovery(next)
                }
            case .discovered(let address, let server):
                logger.debug("STUN \(server) sees us at \(address)")
                stunAnswers += 1
                if !discovered.contains(address) { discovered.append(address) }
            case .failed(let server, let reason):
                logger.debug("STUN \(server): \(reason)")
            }
        }
        if let machine = discovery, machine.isFinished, let promise = discoveryPromise {
            discoveryPromise = nil
            discoveryTimer?.cancel()
            promise.succeed(discovered)
        }
    }

    // MARK: - TURN

    /// Allocates a relay, reaching the server over UDP on the QUIC socket;
    /// the future gives the relayed address.
    func allocate(server: SocketAddress, credentials: TURNCredentials) -> EventLoopFuture<NATAddress> {
        guard server.natAddress != nil else {
            return eventLoop.makeFailedFuture(NATError.badServer("\(server)"))
        }
        return start(TURNServerConnection.datagrams(on: socket, to: server), credentials: credentials)
    }

    /// Allocates a relay, reaching the server with `transport`: UDP as above,
    /// or a TCP (TLS) connection made first, within `connectTimeout`, and
    /// whose failure (refused, certificate not trusted) fails the allocation.
    func allocate(server: SocketAddress, credentials: TURNCredentials, transport: TURNTransport, serverName: String,
                  caFile: String?, connectTimeout: TimeAmount = .seconds(5)) -> EventLoopFuture<NATAddress> {
        switch transport {
        case .udp:
            return allocate(server: server, credentials: credentials)
        case .tcp, .tls:
            guard server.natAddress != nil else {
                return eventLoop.makeFailedFuture(NATError.badServer("\(server)"))
            }
            let promise = eventLoop.makePromise(of: NATAddress.self)
            allocationPromise = promise
            TURNServerConnection.connect(transport, to: server, serverName: serverName, caFile: caFile,
                                         timeout: connectTimeout, on: eventLoop).whenComplete { result in
                guard self.allocationPromise?.futureResult === promise.futureResult else {
                    if case .success(let connection) = result { connection.close() }
                    return
                }
                switch result {
                case .success(let connection):
                    self.logger.debug("connected to the TURN server \(server) over \(transport.label)")
                    promise.completeWith(self.start(connection, credentials: credentials))
                case .failure(let error):
                    self.allocationPromise = nil
                    promise.fail(NATError.turnConnection("\(error)"))
                }
            }
            return promise.futureResult
        }
    }

    /// How the TURN server is reached, once an allocation started.
    var turnTransport: TURNTransport? { turnConnection?.transport }

    private func start(_ connection: TURNServerConnection, credentials: TURNCredentials) -> EventLoopFuture<NATAddress> {
        let promise = allocationPromise ?? eventLoop.makePromise(of: NATAddress.self)
        allocationPromise = promise
        turnConnection = connection
        connection.onMessage = { [weak self] message in self?.receivedFromServer(message) }
        connection.onClosed = { [weak self] reason in self?.lostServer(reason) }
        // Over a stream the connection retransmits, not STUN (RFC 8489 §6.2.2).
        let retransmission: STUNRetransmission = connection.transport == .udp ? .rfc8489 : .reliable
        var machine = TURNClient(configuration: .init(server: connection.server.natAddress!, credentials: credentials,
                                                      retransmission: retransmission))
        let actions = machine.start(now: now)
        turn = machine
        performTURN(actions)
        return promise.futureResult
    }

    /// A whole message from a TCP or TLS connection to the server.
    private func receivedFromServer(_ message: [UInt8]) {
        guard var machine = turn else { return }
        let actions = machine.received(message, now: now)
        turn = machine
        performTURN(actions)
    }

    /// The TCP or TLS connection ended: the allocation ends with it (RFC 8656 §3.1).
    private func lostServer(_ reason: String) {
        guard let machine = turn else { return }
        switch machine.phase {
        case .released, .failed: return
        case .idle, .allocating, .allocated, .releasing: break
        }
        turn = nil
        turnTimer?.cancel()
        pending.removeAll()
        if let promise = allocationPromise {
            allocationPromise = nil
            promise.fail(NATError.turnConnection(reason))
        } else if case .releasing = machine.phase {
            // Closing ends the allocation just as well.
        } else {
            onRelayLost?("the connection to the TURN server ended: \(reason)")
        }
        finishRelease()
    }

    /// Packets for `remote` go through the relay from now on (the viewer's
    /// path to the host's relayed address).
    func carryThroughRelay(_ remote: SocketAddress) {
        relayedRemotes.insert(remote)
    }

    /// Lets `peer` (an IP) send to our relayed address.
    func permit(_ peer: NATIP) {
        guard var machine = turn else { return }
        let actions = machine.permit(peer, now: now)
        turn = machine
        performTURN(actions)
    }

    func isRelayed(_ remote: SocketAddress) -> Bool { relayedRemotes.contains(remote) }

    /// Gives the allocation back (LIFETIME 0); completes when done or after a second.
    func release() -> EventLoopFuture<Void> {
        guard var machine = turn else { return eventLoop.makeSucceededVoidFuture() }
        let promise = eventLoop.makePromise(of: Void.self)
        releasePromise = promise
        let actions = machine.release(now: now)
        turn = machine
        performTURN(actions)
        eventLoop.scheduleTask(in: .seconds(1)) { [weak self] in self?.finishRelease() }
        return promise.futureResult
    }

    private func finishRelease() {
        turnTimer?.cancel()
        if let connection = turnConnection, connection.transport != .udp {
            connection.close()
        }
        let promise = releasePromise
        releasePromise = nil
        promise?.succeed(())
    }

    private func performTURN(_ actions: [TURNClient.Action]) {
        for action in actions {
            switch action {
            case .sendToServer(let bytes):
                turnConnection?.send(bytes)
            case .setTimer(let deadline):
                turnTimer?.cancel()
                turnTimer = eventLoop.scheduleTask(deadline: .uptimeNanoseconds(deadline)) { [weak self] in
                    guard let self, var machine = self.turn else { return }
                    let next = machine.timerFired(now: self.now)
                    self.turn = machine
                    self.performTURN(next)
                }
            case .allocated(let relayed, let mapped, let lifetime):
                // Over TCP the server saw our TCP source, which says nothing
                // about the QUIC socket's mapping.
                if turnConnection?.transport == .udp { mappedAddress = mapped }
                logger.debug("TURN relay allocated at \(relayed) over \(turnConnection?.transport.label ?? "?") (we appear as \(mapped.map { "\($0)" } ?? "?"), \(lifetime) s)")
                let promise = allocationPromise
                allocationPromise = nil
                promise?.succeed(relayed)
                for remote in relayedRemotes { if let ip = remote.natAddress?.ip { permit(ip) } }
                flushPending()
            case .deliver(let payload, let peer):
                guard let remote = peer.socketAddress else { continue }
                relayedRemotes.insert(remote)
                // Hand it to QUIC on the next turn of the loop, outside this read.
                let socket = self.socket
                eventLoop.execute { socket.inject(payload, from: remote) }
            case .permissionFailed(let peer, let failure):
                logger.info("the TURN server refused to relay for \(peer): \(failure)")
            case .failed(let failure):
                turnTimer?.cancel()
                if let promise = allocationPromise {
                    allocationPromise = nil
                    promise.fail(NATError.turn(failure))
                } else {
                    onRelayLost?("\(failure)")
                }
                pending.removeAll()
                finishRelease()
            case .released:
                finishRelease()
            }
        }
    }

    private func flushPending() {
        let queued = pending
        pending.removeAll()
        for (payload, peer) in queued { sendThroughRelay(payload, to: peer) }
    }

    private func sendThroughRelay(_ payload: [UInt8], to peer: NATAddress) {
        guard var machine = turn else { return }
        guard case .allocated = machine.phase else {
            if pending.count < Self.pendingLimit { pending.append((payload, peer)) }
            return
        }
        let actions = machine.send(payload, to: peer, now: now)
        turn = machine
        performTURN(actions)
    }

    // MARK: - Hole punching

    /// Starts punching toward `targets`; `onHeard` gets the first address our
    /// peer's probes or answers came from. The session is forgotten once it
    /// is surely over (`lifetime` seconds; by default its probing period;
    /// nil: until `stopPunching`).
    @discardableResult
    func punch(token: [UInt8], toward targets: [SocketAddress], style: HolePunchSession.Style = .openThenProbe,
               lifetime: Double? = HolePunchSession.duration + 5,
               onHeard: ((SocketAddress) -> Void)? = nil) -> HolePunchSession {
        punches[token]?.stop()
        let session = HolePunchSession(socket: socket, token: token, targets: targets, style: style, logger: logger)
        session.onHeard = onHeard
        session.awaitsMoreTargets = lifetime == nil
        session.openerTTL = openerTTL
        punches[token] = session
        session.start()
        guard let lifetime else { return session }
        eventLoop.scheduleTask(in: .milliseconds(Int64(lifetime * 1000))) { [weak self, weak session] in
            guard let self, let session, self.punches[token] === session else { return }
            session.stop()
            self.punches[token] = nil
        }
        return session
    }

    /// Stops and forgets the session for `token`.
    func stopPunching(token: [UInt8]) {
        punches.removeValue(forKey: token)?.stop()
    }

    // MARK: - DatagramSideChannel

    func socket(_ socket: SharedDatagramSocket, received datagram: UnsafeRawBufferPointer, from remote: SocketAddress) -> Bool {
        if let (kind, token) = HolePunchMessage.decode(datagram) {
            punches[token]?.received(kind, from: remote)
            return true
        }
        if let turnConnection, turnConnection.receivesDatagrams(from: remote), var machine = turn {
            let bytes = Array(datagram)
            // The TURN server may be one of our STUN servers too: a Binding
            // answer it sends belongs to discovery.
            if var discovery, STUNMessage.isProbablySTUN(bytes), let from = remote.natAddress {
                let found = discovery.received(bytes, from: from, now: now)
                if !found.isEmpty {
                    self.discovery = discovery
                    performDiscovery(found)
                    return true
                }
            }
            let actions = machine.received(bytes, now: now)
            turn = machine
            performTURN(actions)
            return true
        }
        // Every QUIC datagram passes here: decide on the buffer, copy only STUN.
        if var machine = discovery, STUNMessage.isProbablySTUN(datagram), let from = remote.natAddress {
            let actions = machine.received(Array(datagram), from: from, now: now)
            discovery = machine
            performDiscovery(actions)
            return true
        }
        return false
    }

    func socket(_ socket: SharedDatagramSocket, carries remote: SocketAddress) -> Bool {
        relayedRemotes.contains(remote)
    }

    func socket(_ socket: SharedDatagramSocket, relay datagram: UnsafeRawBufferPointer, to remote: SocketAddress) {
        guard let peer = remote.natAddress else { return }
        sendThroughRelay(Array(datagram), to: peer)
    }
}

extension NATSideChannel {
    /// Traces the first routers toward `target` (a public address: a DHT
    /// node) off the loop, and sets the openers' TTL from how many of them
    /// are our own NATs.
    func learnOpenerTTL(toward target: SocketAddress) {
        let loop = eventLoop
        let logger = self.logger
        Thread.detachNewThread { [weak self] in
            let hops = HopProbe.trace(toward: target)
            let ttl = OpenerTTL.choose(hops: hops)
            loop.execute {
                logger.debug("first hops: \(hops.map { $0.map { "\($0)" } ?? "?" }.joined(separator: ", ")); openers use TTL \(ttl)")
                self?.openerTTL = ttl
            }
        }
    }
}

/// Why NAT set-up failed, in words a user can act on.
public enum NATError: Error, CustomStringConvertible {
    case badServer(String)
    case turn(TURNFailure)
    /// The TCP or TLS connection to the TURN server failed or ended.
    case turnConnection(String)

    public var description: String {
        switch self {
        case .badServer(let server): return "cannot use \(server) as a server address"
        case .turn(let failure): return "\(failure)"
        case .turnConnection(let reason): return reason
        }
    }
}
