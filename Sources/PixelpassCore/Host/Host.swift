#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOCore
import NIOPosix
import PixelpassMedia
import PixelpassTicket
import PixelpassTransport

public enum HostError: Error, Equatable, CustomStringConvertible {
    /// The QUIC socket could not be bound; `errno` is the system's reason when known.
    case cannotBind(address: String, errno: Int32?)

    /// Translates a socket error once, here, into what the user can act on.
    static func cannotBind(_ address: SocketAddress, _ error: Error) -> HostError {
        let shown = address.ipAddress.map { address.protocol == .inet6 ? "[\($0)]" : $0 } ?? "\(address)"
        return .cannotBind(address: "\(shown):\(address.port ?? 0)", errno: (error as? IOError)?.errnoCode)
    }

    public var description: String {
        switch self {
        case let .cannotBind(address, errno):
            let reason: String
            switch errno {
            case EADDRINUSE?: reason = "that port is already in use (another pixelpass, or another program)"
            case EADDRNOTAVAIL?: reason = "this machine has no such address"
            case EACCES?: reason = "permission denied (ports below 1024 need root)"
            case let code?: reason = String(cString: strerror(code))
            case nil: reason = "the socket could not be opened"
            }
            return "cannot listen on \(address): \(reason). Pick another --bind address or port, or leave --bind out to let the system choose"
        }
    }
}

/// A running share: the HTTP/3 server, the broadcaster behind it, and the
/// ticket that lets a friend in. Lives on one event loop.
public final class Host: HTTP3ServerDelegate {
    /// Replaced by `replaceTicket()` (a new secret).
    public internal(set) var ticket: Ticket
    public let configuration: HostConfiguration
    var logger: Logger { configuration.logger }
    private let server: HTTP3Server
    let broadcaster: Broadcaster
    /// The current ticket's secret; `replaceTicket()` swaps it.
    var secretCheck: SecretCheck
    /// The secret before the last replacement, still good for the
    /// connections that were watching then (`grandfathered`).
    var previousSecretCheck: SecretCheck?
    var grandfathered: Set<ObjectIdentifier> = []
    /// The host's certificate, kept again with a new secret (--keep-ticket).
    let identity: TLSIdentity
    /// The DHT the rendezvous runs on, so a new ticket can meet viewers too.
    var rendezvousDHT: DHTSideChannel?
    /// Secret check, seats and paths (made once the host exists).
    private lazy var router = makeRouter()
    /// Viewers (QUIC connections) that passed the secret check and hold a
    /// seat; `maxViewers` limits these, not individual stream requests.
    private var roster: ViewerRoster<ObjectIdentifier>
    /// The connection of every seated viewer, for RTT, address and kicking.
    var seatedPeers: [ObjectIdentifier: HTTP3Peer] = [:]
    /// Bans and, with `--approve`, the viewers waiting for an answer.
    var gate: ViewerGate
    /// The gate key each connection introduced itself with (first request).
    private var gateKeys: [ObjectIdentifier: String] = [:]
    /// When each connection last exchanged candidates.
    var candidateExchanges: [ObjectIdentifier: UInt64] = [:]
    /// Connections per viewer certificate, and which ones were authorised.
    var connections = ViewerConnections<ObjectIdentifier>(perCertificate: Host.connectionsPerCertificate)
    /// Requests of waiting viewers, by viewer key, with how each goes on.
    var held: [String: [(request: HTTP3Responder, next: () -> Void)]] = [:]
    private var pathWatch: RepeatedTask?
    /// STUN/TURN on the QUIC socket.
    let nat: NATSideChannel
    /// Probes on the IPv6 socket of a dual-stack host.
    var nat6: NATSideChannel?
    /// Meets viewers through the DHT (Host+Rendezvous.swift).
    var rendezvous: HostRendezvous?
    /// The router's port mapping, if it granted one.
    private var portMapper: PortMapper?
    /// Why the configured relay is not in the ticket, if it is not.
    public private(set) var relayProblem: String?
    /// Stream requests the broadcaster serves at once, per seat: room for a
    /// few local players per viewer, enforced per viewer.
    static let streamsPerViewer = 4
    /// A connection may ask `/v1/candidates` once per this many nanoseconds.
    static let candidateExchangeInterval: UInt64 = 5_000_000_000
    /// Connections one viewer certificate may have open at once.
    static let connectionsPerCertificate = 4
    /// A connection must make an authorised request this soon after its
    /// handshake (a viewer asks `/v1/info` at once), or it is closed.
    static let authorisationDeadline = TimeAmount.seconds(4)
    /// A seated viewer not heard from for this long has crashed or lost its
    /// network (keep-alives come every 2 s): its seat may go to a newcomer.
    static let silenceBeforeSeatIsFree: UInt64 = 3_000_000_000
    static let silenceBeforeOwnSeatIsFree: UInt64 = 1_000_000_000
    /// Requests one waiting viewer may have held for the host's answer.
    static let heldRequestsPerViewer = 8

    public var eventLoop: EventLoop { server.eventLoop }
    public var localAddress: SocketAddress { server.localAddress }

    /// The parts, made by `start` (Host+Start.swift); then `wireUp`.
    init(configuration: HostConfiguration, resolved: ResolvedMedia, server: HTTP3Server, ticket: Ticket,
         identity: TLSIdentity, nat: NATSideChannel, gathered: GatheredCandidates) {
        self.identity = identity
        self.configuration = configuration
        self.nat = nat
        self.relayProblem = gathered.relayProblem
        self.portMapper = gathered.portMapper
        self.media = resolved
        self.server = server
        self.ticket = ticket
        self.secretCheck = SecretCheck(secretHex: ticket.secretHex)
        self.roster = ViewerRoster(capacity: configuration.maxViewers)
        self.gate = ViewerGate(approvalRequired: configuration.approveViewers)
        self.broadcaster = Broadcaster(eventLoop: server.eventLoop, logger: configuration.logger,
                                       settings: configuration.media, resolved: resolved,
                                       gracePeriod: configuration.gracePeriod,
                                       maxViewers: configuration.maxViewers * Host.streamsPerViewer,
                                       maxBacklogBytes: configuration.maxBacklogBytes,
                                       stallTimeout: configuration.stallTimeout,
                                       rate: RateController.Configuration(
                                           mode: configuration.bitrateMode,
                                           ceilingKbps: configuration.media.bitrateKbps,
                                           floorKbps: min(configuration.bitrateFloorKbps, configuration.media.bitrateKbps),
                                           audioKbps: resolved.audio.isOn ? MediaPipeline.audioKbps : 0,
                                           nominal: VideoPicture(width: resolved.captureSize.width,
                                                                 height: resolved.captureSize.height,
                                                                 fps: configuration.media.fps)))
    }

    /// What will be captured and how it is encoded, decided at start.
    public let media: ResolvedMedia
    /// Called once if sharing cannot go on (the capture source disappeared).
    public var onSourceLost: ((String) -> Void)?
    /// Viewers joining, leaving and moving; called on the event loop.
    public var onEvent: ((HostEvent) -> Void)?

    /// Connects the parts once the host exists: requests, capture loss,
    /// relay loss and the path watch. On the event loop.
    func wireUp() {
        let logger = self.logger
        server.delegate = self
        server.onRefusedInitials = { retried, dropped in
            logger.info("""
                many connection attempts (a flood?): \(retried) asked to prove their address (QUIC Retry), \
                turned away \(dropped) beyond the limits on handshakes in progress
                """)
        }
        broadcaster.onSourceLost = { [weak self] reason in self?.onSourceLost?(reason) }
        // The desktop's own "stop sharing" ends the share even with no viewer.
        // It is called on a GStreamer thread: hop to the loop, where the host
        // (held weakly, as the media outlives no share) may be touched.
        let loop = eventLoop
        let weakHost = NIOLoopBound(WeakHost(self), eventLoop: loop)
        media.onCaptureEnded { reason in
            loop.execute { weakHost.value.host?.onSourceLost?(reason) }
        }
        nat.onRelayLost = { reason in logger.error("the TURN relay stopped working (\(reason)); relayed viewers will lose the stream") }
        let size = media.captureSize
        broadcaster.captureLabel = "\(size.width)x\(size.height)@\(configuration.media.fps), "
            + "\(configuration.media.bitrateKbps) kbit/s\(audioIsOn ? ", audio" : "")"
        // QUIC follows a viewer that changes address by itself; look once a
        // second so the change can be shown.
        pathWatch = loop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { [weak self] _ in
            self?.watchPaths()
        }
    }

    /// Ends every stream, stops capture, closes every connection.
    public func shutdown() -> EventLoopFuture<Void> {
        eventLoop.flatSubmit {
            self.pathWatch?.cancel()
            self.rendezvous?.stop()
            self.broadcaster.stopAll()
            self.media.closeCapture()
            // Viewers are told first (through the relay too), then the relay
            // is given back, then the socket closes.
            self.server.closeConnections()
            let unmapped = self.portMapper?.release() ?? self.eventLoop.makeSucceededVoidFuture()
            return self.nat.release().and(unmapped).flatMap { _ in self.server.shutdown() }
        }
    }

    /// The viewers and counters right now.
    public func status() -> EventLoopFuture<HostStatus> {
        eventLoop.submit { self.currentStatus() }
    }

    /// Disconnects the viewer with this short id; false if there is none.
    /// Its viewer is told it was removed and does not reconnect by itself.
    /// The viewer's certificate stays banned for the rest of the share, so
    /// running `pixelpass TICKET` again does not bring it back.
    public func kick(viewerID: String) -> EventLoopFuture<Bool> {
        eventLoop.submit {
            guard let key = self.roster.kick(id: viewerID), let peer = self.seatedPeers[key] else { return false }
            self.logger.info("removing viewer \(self.roster.label(key) ?? viewerID); it stays out for the rest of this share")
            if let gateKey = self.gateKeys[key] { self.gate.ban(key: gateKey) }
            self.gate.ban(key: Self.certificateKey(peer))
            peer.close(code: StreamAPI.removedByHostCode)
            return true
        }
    }

    /// Answers a viewer waiting for approval; false if none waits with that id.
    public func answer(viewerID: String, allow: Bool) -> EventLoopFuture<Bool> {
        eventLoop.submit {
            guard let key = self.gate.answer(id: viewerID, allow: allow) else { return false }
            self.logger.info("viewer \(viewerID) \(allow ? "allowed in" : "turned away")")
            self.onEvent?(.approvalEnded(id: viewerID, allowed: allow))
            for held in self.held.removeValue(forKey: key) ?? [] {
                if allow {
                    held.next()
                } else {
                    held.request.respondText(403, "the host did not let you in\n")
                }
            }
            return true
        }
    }

    /// The current secret, or the one before for a connection that was
    /// watching when the ticket was replaced.
    private func authorises(_ request: HTTP3Responder) -> Bool {
        let key = ObjectIdentifier(request.peer)
        let authorised = secretCheck.authorises(request.request)
            || (grandfathered.contains(key) && previousSecretCheck?.authorises(request.request) == true)
        if authorised && connections.authorised(key) {
            logger.info("viewer \(request.peer.id) connected from \(request.peer.remoteAddressDescription)")
        }
        return authorised
    }

    /// Every viewer waiting for an answer is turned away.
    func turnAwayEveryoneWaiting(because reason: String) {
        for request in gate.waiting {
            guard let key = gate.answer(id: request.id, allow: false) else { continue }
            onEvent?(.approvalEnded(id: request.id, allowed: false))
            for held in held.removeValue(forKey: key) ?? [] { held.request.respondText(403, reason + "\n") }
        }
    }

    /// Turns `--approve` on or off while sharing; off lets everyone waiting in.
    public func setApprovalRequired(_ required: Bool) -> EventLoopFuture<Void> {
        eventLoop.submit {
            let waiting = self.gate.waiting
            for key in self.gate.setApprovalRequired(required) {
                for held in self.held.removeValue(forKey: key) ?? [] { held.next() }
            }
            for request in waiting { self.onEvent?(.approvalEnded(id: request.id, allowed: true)) }
            self.logger.info(required ? "new viewers now wait for your answer" : "anyone with the ticket may watch again")
        }
    }

    /// Bans and approvals follow the viewer's lasting key (the same across
    /// its runs), else its connection's certificate.
    private static func gateKey(_ request: HTTP3Responder) -> String {
        if let key = request.request.header(StreamAPI.viewerKeyHeader), key.count == 64,
           key.allSatisfy(\.isHexDigit) {
            return "key:" + key.lowercased()
        }
        return certificateKey(request.peer)
    }

    static func certificateKey(_ peer: HTTP3Peer) -> String {
        "cert:" + (peer.fingerprint.map(hexString) ?? peer.id)
    }

    private func checkGate(_ request: HTTP3Responder) -> ViewerGate.Verdict {
        let peer = request.peer
        let name = request.request.header(StreamAPI.viewerNameHeader).flatMap(ViewerName.init(cleaning:))?.text
        let key = gateKeys[ObjectIdentifier(peer)] ?? Self.gateKey(request)
        gateKeys[ObjectIdentifier(peer)] = key
        // A kicked viewer's certificate is banned too (a client without a key).
        if gate.banned.contains(Self.certificateKey(peer)) { return .banned }
        let verdict = gate.check(key: key,
                                 .init(id: peer.id, name: name, address: peer.remoteAddressDescription))
        switch verdict {
        case .banned:
            logger.info("refused viewer \(peer.id): removed earlier in this share")
        case .wait(ask: true):
            logger.info("viewer \(name.map { "\($0) (\(peer.id))" } ?? peer.id) from \(peer.remoteAddressDescription) wants to watch")
            onEvent?(.approvalRequested(id: peer.id, name: name, address: peer.remoteAddressDescription))
        case .pass, .wait(ask: false):
            break
        }
        return verdict
    }

    private func currentStatus() -> HostStatus {
        var status = roster.status(streams: broadcaster.viewerStats(), capturing: broadcaster.isPipelineRunning,
                                   now: MonotonicClock.now) { seatedPeers[$0]?.roundTripMilliseconds ?? 0 }
        status.encoder = broadcaster.encoderStatus()
        return status
    }

    private func path(of peer: HTTP3Peer) -> ConnectionPath {
        guard let remote = peer.remoteAddress else { return .direct }
        return nat.isRelayed(remote) ? .relayed : .direct
    }

    private func watchPaths() {
        for (key, peer) in seatedPeers {
            if let event = roster.observe(key, address: peer.remoteAddressDescription, path: path(of: peer)) {
                logger.info("viewer \(peer.id) moved to \(peer.remoteAddressDescription)")
                onEvent?(event)
            }
        }
    }

    // MARK: - HTTP3ServerDelegate

    public func http3Server(_ server: HTTP3Server, peerConnected peer: HTTP3Peer) {
        admitConnection(peer)
    }

    public func http3Server(_ server: HTTP3Server, peerDisconnected peer: HTTP3Peer, reason: QUICCloseReason) {
        let key = ObjectIdentifier(peer)
        let wasAuthorised = connections.isAuthorised(key)
        candidateExchanges[key] = nil
        connections.disconnected(key)
        seatedPeers.removeValue(forKey: key)
        grandfathered.remove(key)
        // Strangers' connections are the attacker's to multiply: not at info level.
        if wasAuthorised || roster.label(key) != nil {
            logger.info("viewer \(roster.label(key) ?? peer.id) disconnected (\(reason))")
        } else {
            logger.debug("connection \(peer.id) from \(peer.remoteAddressDescription) closed (\(reason))")
        }
        if let event = roster.leave(key, reason: ViewerLeaveReason(reason)) { onEvent?(event) }
        guard let gateKey = gateKeys.removeValue(forKey: key) else { return }
        // Requests of this connection waiting for an answer die with it; the
        // question goes when no connection of that viewer waits any more.
        held[gateKey]?.removeAll { $0.request.peer === peer }
        if held[gateKey]?.isEmpty ?? true {
            held.removeValue(forKey: gateKey)
            let waitingID = gate.pending[gateKey]?.id
            if gate.withdraw(key: gateKey) { onEvent?(.approvalEnded(id: waitingID ?? peer.id, allowed: nil)) }
        }
    }

    public func http3Server(_ server: HTTP3Server, didReceive request: HTTP3Responder) {
        let head = request.request
        logger.debug("request \(head.method) \(head.pathOnly) from \(request.peer.id) (\(request.peer.remoteAddressDescription))")
        router.handle(request)
    }

    /// The API: secret, then a seat, then read-only, then the path.
    private func makeRouter() -> HostRouter<HTTP3Responder> {
        var router = HostRouter<HTTP3Responder>()
        router.add(HostMiddleware.secret({ [unowned self] in authorises($0) }, logger: logger))
        router.add(HostMiddleware.gate(check: { [unowned self] in checkGate($0) },
                                       hold: { [unowned self] request, next in
                                           let key = gateKeys[ObjectIdentifier(request.peer)] ?? Self.gateKey(request)
                                           // A waiting viewer needs one request held, a few at most.
                                           guard held[key, default: []].count < Self.heldRequestsPerViewer else {
                                               return request.respondText(503, "too many requests waiting for the host's answer\n")
                                           }
                                           held[key, default: []].append((request, next))
                                       }))
        router.add(HostMiddleware.seats(logger: logger, admit: { [unowned self] in admit($0) },
                                        full: { [unowned self] in
                                            "the host is full (\(roster.count) of \(configuration.maxViewers) viewers)"
                                        }))
        router.add(HostMiddleware.readOnly())
        router.on(StreamAPI.infoPath) { [unowned self] request in
            request.respond(status: 200, headers: [("content-type", "application/json")],
                            body: Array(infoJSON(for: request.peer.id).utf8))
        }
        router.on(StreamAPI.streamPath) { [unowned self] in serveStream($0) }
        router.on(CandidateExchange.path) { [unowned self] in exchangeCandidates($0) }
        return router
    }

    /// Gives the asking peer a seat if it has none and one is free.
    private func admit(_ request: HTTP3Responder) -> Bool {
        let peer = request.peer
        let key = ObjectIdentifier(peer)
        let name = request.request.header(StreamAPI.viewerNameHeader).flatMap(ViewerName.init(cleaning:))?.text
        let now = MonotonicClock.now
        switch roster.admit(key, id: peer.id, name: name, address: peer.remoteAddressDescription, path: path(of: peer),
                            now: now, silent: silentSeats(now: now, newcomer: gateKeys[key])) {
        case .alreadySeated:
            return true
        case .full:
            return false
        case .seated(let event):
            seated(peer, event)
            return true
        case .seatedInPlaceOf(let freed, let left, let joined):
            if let gone = seatedPeers.removeValue(forKey: freed) {
                logger.info("the share is full: viewer \(gone.id) was idle or silent and gives its seat to \(peer.id)")
                gone.close(code: StreamAPI.seatReclaimedCode)
            }
            onEvent?(left)
            seated(peer, joined)
            return true
        }
    }

    private func seated(_ peer: HTTP3Peer, _ event: HostEvent) {
        let key = ObjectIdentifier(peer)
        seatedPeers[key] = peer
        logger.info("viewer \(roster.label(key) ?? peer.id) took a seat (\(roster.count) of \(configuration.maxViewers))")
        onEvent?(event)
    }

    /// Seated viewers not heard from for longer than keep-alives allow: a
    /// crashed viewer's seat need not wait for the idle timeout.
    /// The same viewer (its lasting key) coming back after a crash gets its
    /// old seat sooner: a live viewer pings every half second.
    private func silentSeats(now: UInt64, newcomer: String?) -> Set<ObjectIdentifier> {
        Set(seatedPeers.compactMap { key, peer in
            let silence = peer.silence(now: now) ?? .max
            let sameViewer = newcomer?.hasPrefix("key:") == true && gateKeys[key] == newcomer
            let limit = sameViewer ? Self.silenceBeforeOwnSeatIsFree : Self.silenceBeforeSeatIsFree
            return silence > limit ? key : nil
        })
    }

    /// A relayed viewer offers its addresses: answer with ours and punch
    /// toward it; it moves the connection once a probe gets through.
    private func exchangeCandidates(_ request: HTTP3Responder) {
        guard let (token, theirs) = CandidateExchange.parseRequest(request.request.queryItems) else {
            request.respond(status: 400, body: Array("token and mine are needed\n".utf8))
            return
        }
        let key = ObjectIdentifier(request.peer)
        let now = MonotonicClock.now
        // One exchange per connection every few seconds (a viewer makes one).
        if let last = candidateExchanges[key], now - last < Self.candidateExchangeInterval {
            request.respondText(429, "one candidate exchange every \(Self.candidateExchangeInterval / 1_000_000_000) s\n")
            return
        }
        candidateExchanges[key] = now
        let ours = (ticket.addresses + ticket.reflexive).filter { !$0.isLoopback }
        request.respond(status: 200, headers: [("content-type", "application/json")],
                        body: Array(CandidateExchange.responseBody(ours).utf8))
        let remote = request.peer.remoteAddress
        let targets = PunchTargets.chosen(offered: theirs.compactMap(\.natAddress),
                                          observed: remote?.natAddress?.ip,
                                          relayed: remote.map(nat.isRelayed) ?? false,
                                          ownAddresses: ticket.addresses.compactMap { $0.socketAddress.natAddress?.ip })
            .compactMap(\.socketAddress)
        logger.debug("viewer \(request.peer.id) offers \(theirs.map { "\($0)" }.joined(separator: ", ")); punching toward \(targets.map { "\($0)" }.joined(separator: ", "))")
        guard !targets.isEmpty else { return }
        nat.punch(token: token, toward: targets)
    }

    private func serveStream(_ request: HTTP3Responder) {
        let key = ObjectIdentifier(request.peer)
        // Fair shares of the stream cap: one viewer's extra players cannot
        // take the streams every other viewer needs.
        guard roster.openStreams(key) < Self.streamsPerViewer else {
            request.respond(status: 503, headers: [("content-type", "text/plain")],
                            body: Array("too many players open for this viewer (at most \(Self.streamsPerViewer))\n".utf8))
            return
        }
        guard broadcaster.viewerCount < broadcaster.maxViewers else {
            request.respond(status: 503, headers: [("content-type", "text/plain")],
                            body: Array("too many streams open\n".utf8))
            return
        }
        request.startStreaming(status: 200, headers: [("content-type", "video/mp2t"),
                                                      ("cache-control", "no-store"),
                                                      (StreamAPI.viewerIDHeader, request.peer.id)])
        // Below the viewer's status requests (/v1/info): on a full link they
        // would otherwise wait behind the endless video body. Incremental:
        // a viewer's players share its link.
        request.setPriority(urgency: 5, incremental: true)
        request.onClose = { [weak self, weak request] _ in
            guard let self, let request else { return }
            let final = self.broadcaster.remove(request)
            self.roster.streamFinished(ObjectIdentifier(request.peer), bytes: final?.bytesSent ?? 0, now: MonotonicClock.now)
            let sent = final.map { String(format: "%.1f MB sent, %d keyframe skips; ", Double($0.bytesSent) / 1e6, $0.keyframeSkips) } ?? ""
            let who = self.roster.label(ObjectIdentifier(request.peer)) ?? request.peer.id
            logger.info("viewer \(who) stopped watching (\(sent)\(self.broadcaster.viewerCount) watching)")
        }
        _ = broadcaster.add(request)
        roster.streamStarted(key, now: MonotonicClock.now)
        logger.info("viewer \(roster.label(ObjectIdentifier(request.peer)) ?? request.peer.id) is watching (\(broadcaster.viewerCount) watching)")
    }

    private var audioIsOn: Bool { media.audio.isOn }

    /// What a viewer learns about the share; `rate` and `you` tell it the
    /// rate and picture now and whether its link gets keyframes only (the
    /// viewer asks every few seconds while it watches).
    private func infoJSON(for viewerID: String) -> String {
        let media = configuration.media
        let size = self.media.captureSize
        var video = ""
        if let encoder = broadcaster.encoderStatus() {
            let keyframesOnly = broadcaster.viewerStats().contains { $0.viewerID == viewerID && $0.belowFloor }
            video = """
            ,"rate":{"mode":"\(encoder.mode.rawValue)","bitrate_kbps":\(encoder.bitrateKbps),\
            "width":\(encoder.picture.width),"height":\(encoder.picture.height),"fps":\(encoder.picture.fps)},\
            "you":{"keyframes_only":\(keyframesOnly)}
            """
        }
        return """
        {"protocol":1,"stream":"\(StreamAPI.streamPath)","container":"mpegts","video":"h264",\
        "audio":\(audioIsOn ? "\"aac\"" : "null"),"width":\(size.width),"height":\(size.height),\
        "fps":\(media.fps),"viewers":\(roster.count),"max_viewers":\(configuration.maxViewers)\(video)}

        """
    }
}

/// Random bytes for secrets, from the system generator.
enum SecretGenerator {
    static func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}

extension ViewerLeaveReason {
    /// How a seated viewer's connection ended, from the host's side.
    init(_ reason: QUICCloseReason) {
        switch reason {
        case .peerClosed: self = .left
        case .local: self = .hostEnded
        case .idleTimeout, .handshakeTimeout: self = .timedOut
        case .identityMismatch: self = .failed("\(reason)")
        case .failed(let detail): self = .failed(detail)
        }
    }
}

/// A host held weakly, for callbacks that must not keep it alive.
private struct WeakHost {
    weak var host: Host?

    init(_ host: Host) { self.host = host }
}
