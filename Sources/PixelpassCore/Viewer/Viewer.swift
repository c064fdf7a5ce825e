import Logging
import NIOCore
import NIOPosix
import PixelpassDHT
import PixelpassTicket
import PixelpassTransport

/// How a viewing session ended after it had started.
public enum ViewerEnd: Equatable {
    /// The host stopped sharing (it closed the connection).
    case hostEnded
    /// Nothing heard from the host within the idle timeout.
    case lostContact(String)
    /// The host's user removed this viewer from the share.
    case removedByHost
    /// We closed it (Ctrl-C).
    case local
}

/// The viewer's connection right now, for the live status and `stats` events.
public struct ViewerStatus: Equatable, Sendable {
    public var hostAddress: String
    public var path: ConnectionPath
    public var roundTripMilliseconds: Double
    /// Stream bytes received from the host and handed to players, ever.
    public var bytesReceived: Int
    /// Players reading the local URL right now.
    public var players: Int
    /// The host's latest word on the video it sends us (nil: not known).
    public var hostVideo: HostVideoReport?
}

/// Small per-stream receive windows: when a player stops reading, QUIC
/// back-pressure reaches the host within ~1 MiB (a couple of seconds of
/// video), so the host skips that player ahead to a fresh keyframe instead of
/// the viewer hoarding stale video. Connection-level credit is returned at
/// once, so other players on the same connection keep flowing.
let viewerQUICSettings: QUICSettings = {
    var settings = QUICSettings()
    settings.initialStreamWindow = 512 * 1024
    settings.maxStreamWindow = 1024 * 1024
    // Half a second without a packet (the video stopped) and the viewer
    // pings: a host that restarted answers with a stateless reset, so the
    // viewer knows within a second, not after the 10 s idle timeout.
    settings.keepAliveInterval = 500_000_000
    return settings
}()

/// A connection to a host from a ticket, authorised and ready to open
/// stream requests for local players. Lives on one event loop.
public final class Viewer {
    public let ticket: Ticket
    let client: HTTP3Client
    /// The secret, our name and our key, sent with every request.
    let requestHeaders: [(String, String)]
    private(set) var relay: LocalRelay?
    private var onEnd: ((ViewerEnd) -> Void)?
    private var ended = false
    /// Said once that the host is full and we wait for a seat.
    private var waitingForASeat = false
    /// Counted by the relay as it hands stream bytes to players.
    var bytesReceived = 0
    /// See `Viewer+HostReports.swift`.
    var hostVideo: HostVideoReport?
    /// Farewell pictures, rendered ahead (Viewer+Farewell.swift).
    lazy var farewellCards = FarewellCards(logger: logger)
    var hostReports: RepeatedTask?
    var hostReportPending = false
    /// Our TURN allocation, when the ticket has a relay.
    var nat: NATSideChannel?
    /// How our packets reach the host right now.
    public var path: ConnectionPath {
        // Plain UDP to the host's relayed address (the host permitted us
        // after the rendezvous) is relayed too.
        if let relayed = hostRelayedAddress, client.remoteAddress == relayed { return .relayed }
        guard let nat else { return .direct }
        return nat.isRelayed(client.remoteAddress) ? .relayed : .direct
    }
    /// The host's TURN relayed address, when the ticket has one.
    var hostRelayedAddress: SocketAddress? { ((try? ticket.relayInfo) ?? nil)?.relayed.socketAddress }

    public var eventLoop: EventLoop { client.eventLoop }
    public var hostAddress: String { client.authority }

    let logger: Logger

    private init(ticket: Ticket, client: HTTP3Client, introduction: ViewerIntroduction, logger: Logger) {
        self.ticket = ticket
        self.client = client
        self.requestHeaders = introduction.headers(for: ticket)
        self.logger = logger
    }

    /// Connects to the ticket's addresses (first handshake wins), checks the
    /// pinned key, and asks the host whether the secret is accepted. With a
    /// relay in the ticket, the host's relayed address races too, reached
    /// through our own allocation on the same TURN server. With the DHT on,
    /// a rendezvous runs beside the dial (`ViewerRendezvous`) and adds the
    /// addresses it opens to the race; without REST credentials in the
    /// ticket, the host's relayed address is dialled with plain UDP a little
    /// later (the host permits our IP once it finds us in the DHT).
    /// `turn`: our own TURN account, used instead of the ticket's credentials
    /// to reach the host's relayed address (for networks that let only TCP
    /// or TLS out); its CA file also serves a ticket's `turns:` server.
    public static func connect(_ ticket: Ticket, dht: DHTSettings = DHTSettings(enabled: false), turn: ViewerTURN = ViewerTURN(),
                               introduction: ViewerIntroduction = ViewerIntroduction(),
                               logger: Logger, on eventLoop: EventLoop) -> EventLoopFuture<Viewer> {
        // A ticket for this machine only (a host on loopback) has nobody to meet.
        let keys = dht.enabled ? RendezvousKeys(secret: ticket.secret) : nil
        let meets = keys != nil && !ticket.addresses.allSatisfy { $0.socketAddress.isLoopback }
        let late = meets ? LateCandidates() : nil
        var candidates = ticket.addresses.map(\.socketAddress)
        let relay = (try? ticket.relayInfo) ?? nil
        let relayPlan = relay.flatMap { RelayPlan($0, own: turn) }
        if let relayPlan {
            candidates.append(relayPlan.hostRelayed)
        } else if !meets {
            // No relay to fall back on: try the addresses STUN saw too (a
            // full-cone NAT lets them through; otherwise nothing is lost).
            // With the rendezvous, they are punched toward instead: a dial
            // ahead of the host's punch would close its NAT to us.
            candidates += ticket.reflexive.map(\.socketAddress)
        }
        let identity: TLSIdentity
        do {
            identity = try TLSIdentity(commonName: "pixelpass viewer")
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
        logger.debug("racing \(candidates.count) candidate address(es) for a host with certificate SHA-256 \(ticket.fingerprintHex)")
        let natBox = NATBox()
        return HTTP3Client.connect(to: candidates, pinnedFingerprint: ticket.fingerprint,
                                   identity: identity, settings: viewerQUICSettings,
                                   prepare: { socket in
                                       if let relayPlan, relayPlan.fits(socket) {
                                           natBox.channel = relayPlan.start(on: socket, logger: logger)
                                       }
                                       if let late, let keys, socket.localAddress.protocol == .inet {
                                           natBox.rendezvous = startRendezvous(ticket, keys: keys, dht: dht, socket: socket, nat: natBox,
                                                                               relayPlanned: relayPlan != nil, late: late, logger: logger)
                                       } else if let rendezvous = natBox.rendezvous, socket.localAddress.protocol == .inet6 {
                                           // Probes over IPv6 answer through this socket.
                                           let nat6 = NATSideChannel(socket: socket, logger: logger)
                                           socket.sideChannel = nat6
                                           rendezvous.useIPv6(nat6)
                                       }
                                       return socket.eventLoop.makeSucceededVoidFuture()
                                   }, late: late, on: eventLoop)
            .always { _ in natBox.rendezvous?.stop() }
            .flatMapErrorThrowing { error in
                _ = natBox.channel?.release()
                if let connectError = error as? HTTP3ConnectError {
                    if case .unreachable = connectError, let rendezvous = natBox.rendezvous {
                        throw ViewerError.noRendezvousPath(rendezvous.diagnosis())
                    }
                    if case .unreachable(let reasons) = connectError, relay == nil {
                        throw ViewerError.noPath(reasons.joined(separator: "; "))
                    }
                    throw ViewerError(connectError)
                }
                throw error
            }
            .flatMap { client in
                logger.debug("handshake done with \(client.authority), RTT \(client.peer.roundTripMilliseconds) ms; checking the secret")
                let viewer = Viewer(ticket: ticket, client: client, introduction: introduction, logger: logger)
                viewer.nat = natBox.channel
                return viewer.checkAuthorisation().map {
                    if viewer.path == .relayed { viewer.lookForDirectPath() }
                    return viewer
                }
            }
    }

    /// How long the rendezvous may look before the viewer says why it
    /// found no path.
    static let rendezvousDeadline = TimeAmount.seconds(9)
    /// The host's relayed address is dialled this long after the start, so
    /// a punched direct path wins when there is one.
    static let relayDialDelay = TimeAmount.milliseconds(2500)

    /// Joins the DHT on `socket`, starts looking for the host, and gives
    /// the race its deadline.
    private static func startRendezvous(_ ticket: Ticket, keys: RendezvousKeys, dht settings: DHTSettings, socket: SharedDatagramSocket,
                                        nat box: NATBox, relayPlanned: Bool, late: LateCandidates, logger: Logger) -> ViewerRendezvous {
        let nat = box.channel ?? {
            let channel = NATSideChannel(socket: socket, logger: logger)
            socket.sideChannel = channel
            return channel
        }()
        box.channel = nat
        let dht = DHTSideChannel.start(on: socket, settings: settings, logger: logger)
        let rendezvous = ViewerRendezvous(dht: dht, nat: nat, keys: keys,
                                          ticket: ticket, late: late, logger: logger)
        rendezvous.start()
        if let relay = (try? ticket.relayInfo) ?? nil, !relayPlanned {
            socket.eventLoop.scheduleTask(in: relayDialDelay) { late.add(relay.relayed.socketAddress) }
        }
        socket.eventLoop.scheduleTask(in: rendezvousDeadline) { late.close() }
        return rendezvous
    }

    /// GET /v1/info with the secret: 200 means we may watch. A host that
    /// asks its user first (--approve) answers only then.
    private func checkAuthorisation() -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        let waitingNote = eventLoop.scheduleTask(in: .seconds(2)) { [logger] in
            logger.info("waiting for the host to let you in …")
        }
        promise.futureResult.whenComplete { _ in waitingNote.cancel() }
        askForASeat(promise, fullUntil: NIODeadline.now() + Self.waitForASeat)
        return promise.futureResult
    }

    /// How long a viewer waits for a seat on a full host: a seat whose
    /// viewer crashed is given to a newcomer once it has been silent for
    /// a few seconds (the same viewer coming back gets its seat sooner).
    static let waitForASeat = TimeAmount.seconds(5)

    private func askForASeat(_ promise: EventLoopPromise<Void>, fullUntil deadline: NIODeadline) {
        do {
            let request = try client.get(StreamAPI.infoPath, headers: requestHeaders)
            var status = 0
            var body: [UInt8] = []
            request.onResponse = { status = $0.status }
            request.onData = { body.append(contentsOf: $0) }
            request.onEnd = { [client] end in
                switch end {
                case .complete where status == 200:
                    promise.succeed(())
                case .complete where status == 503 && body.starts(with: Array("the host is full".utf8))
                    && NIODeadline.now() + Self.seatRetryInterval < deadline:
                    if !self.waitingForASeat {
                        self.waitingForASeat = true
                        self.logger.info("the host is full; waiting a few seconds for a seat …")
                    }
                    self.eventLoop.scheduleTask(in: Self.seatRetryInterval) {
                        self.askForASeat(promise, fullUntil: deadline)
                    }
                case .complete:
                    promise.fail(ViewerError.refused(status: status, message: String(decoding: body, as: UTF8.self)))
                    _ = client.close()
                case .reset(let code):
                    promise.fail(ViewerError.unreachable("the host reset the request (HTTP/3 error 0x\(String(code, radix: 16)))"))
                    _ = client.close()
                case .connectionClosed(let reason):
                    promise.fail(ViewerError.unreachable("\(reason)"))
                }
            }
        } catch {
            promise.fail(ViewerError.unreachable("\(error)"))
        }
    }

    static let seatRetryInterval = TimeAmount.milliseconds(500)

    /// Serves the stream on 127.0.0.1:`port` (0: any free port); returns the URL.
    public func startRelay(port: Int, onEnd: @escaping (ViewerEnd) -> Void) -> EventLoopFuture<String> {
        self.onEnd = onEnd
        client.onClose = { [weak self] reason in
            guard let self else { return }
            switch reason {
            case .peerClosed(applicationCode: StreamAPI.removedByHostCode): self.finish(.removedByHost)
            case .peerClosed(applicationCode: StreamAPI.seatReclaimedCode):
                // Idle on a full share: coming back finds a seat, or says the host is full.
                self.finish(.lostContact("the host was full and gave this idle seat to a new viewer"))
            case .peerClosed: self.finish(.hostEnded)
            case .local: self.finish(.local)
            case .idleTimeout, .handshakeTimeout, .identityMismatch, .failed:
                self.finish(.lostContact("\(reason)"))
            }
        }
        return LocalRelay.start(port: port, viewer: self, on: eventLoop)
            .flatMapErrorThrowing { error in throw ViewerError.relayUnavailable(port: port, "\(error)") }
            .map { relay in
                self.relay = relay
                self.startHostReports()
                return relay.url
            }
    }

    /// The connection and counters right now.
    public func status() -> EventLoopFuture<ViewerStatus> {
        eventLoop.submit {
            ViewerStatus(hostAddress: self.client.peer.remoteAddressDescription, path: self.path,
                         roundTripMilliseconds: self.client.peer.roundTripMilliseconds,
                         bytesReceived: self.bytesReceived, players: self.relay?.playerCount ?? 0,
                         hostVideo: self.hostVideo)
        }
    }

    /// Opens one live-stream request to the host (one per local player).
    func openStream() throws -> HTTP3Request {
        try client.get(StreamAPI.streamPath, headers: requestHeaders)
    }

    /// Closes the relay and the connection.
    public func close() -> EventLoopFuture<Void> {
        eventLoop.flatSubmit {
            self.finish(.local)
            let relayClosed = self.relay?.close() ?? self.eventLoop.makeSucceededVoidFuture()
            let natReleased = self.nat?.release() ?? self.eventLoop.makeSucceededVoidFuture()
            return relayClosed.flatMap { natReleased }.flatMap { self.client.close() }
        }
    }

    private func finish(_ end: ViewerEnd) {
        guard !ended else { return }
        ended = true
        hostReports?.cancel()
        if let relay { endPlayersStreams(end, relay: relay) }
        let callback = onEnd
        onEnd = nil
        callback?(end)
    }
}
