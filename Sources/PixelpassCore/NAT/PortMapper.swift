import Logging
import NIOCore
import NIOPosix
import PixelpassNAT

/// Asks the router to forward the host's QUIC port: PCP (falling back to
/// NAT-PMP) and UPnP IGD at once, first success wins; refreshes the lease
/// before it runs out and deletes the mapping on `release()`. The thin shell
/// around `PCPClient` and `UPnPClient`: its own UDP socket for each (the
/// internal port is named in the requests, so it need not be the QUIC
/// socket), a fresh TCP connection per HTTP request. Use on `eventLoop` only.
public final class PortMapper {
    public let eventLoop: EventLoop
    public let gateway: NATIP
    public let lanAddress: NATIP
    public let internalPort: UInt16
    /// The mapping in force: outside peers reach `lease.external`.
    public private(set) var lease: PortMappingLease?

    private enum Engine: Hashable, CustomStringConvertible {
        case pcp, upnp
        var description: String { self == .pcp ? "PCP/NAT-PMP" : "UPnP IGD" }
    }

    private var pcp: PCPClient
    private var upnp: UPnPClient
    private var pcpChannel: Channel?
    private var ssdpChannel: Channel?
    private var timers: [Engine: Scheduled<Void>] = [:]
    private var running: Set<Engine> = [.pcp, .upnp]
    private var httpChannels: [Int: Channel] = [:]
    private var winner: Engine?
    private var refreshTimer: Scheduled<Void>?
    private var startPromise: EventLoopPromise<PortMapper?>?
    private var releasePromise: EventLoopPromise<Void>?
    private var releasing = false
    private let deadline: Double
    private var now: UInt64 { NIODeadline.now().uptimeNanoseconds }

    private let logger: Logger

    private init(eventLoop: EventLoop, gateway: NATIP, lanAddress: NATIP, internalPort: UInt16, lifetime: UInt32, deadline: Double,
                 logger: Logger) {
        self.logger = logger
        self.eventLoop = eventLoop
        self.gateway = gateway
        self.lanAddress = lanAddress
        self.internalPort = internalPort
        self.deadline = deadline
        let nanoseconds = UInt64(deadline * 1e9)
        pcp = PCPClient(configuration: .init(client: lanAddress, internalPort: internalPort, lifetime: lifetime, deadline: nanoseconds))
        upnp = UPnPClient(configuration: .init(client: lanAddress, internalPort: internalPort, leaseDuration: lifetime,
                                               deadline: nanoseconds, gateway: gateway))
    }

    /// Maps UDP `internalPort` on the default gateway; completes within about
    /// `deadline` seconds with the mapper (its `lease` set) or nil when no
    /// router mapped it (nothing is left behind then).
    /// - Parameters:
    ///   - lanAddress: our address on the gateway's LAN; nil: the one the
    ///     kernel uses toward the gateway.
    ///   - gateway: nil: the IPv4 default route's gateway.
    public static func start(internalPort: UInt16, lanAddress: NATIP? = nil, gateway: NATIP? = nil,
                             lifetime: UInt32 = 3600, deadline: Double = 1.0, logger: Logger,
                             on eventLoop: EventLoop) -> EventLoopFuture<PortMapper?> {
        eventLoop.flatSubmit {
            guard let gatewayIP = gateway ?? DefaultGateway.current()?.address else {
                logger.debug("port mapping: no IPv4 default gateway, not trying")
                return eventLoop.makeSucceededFuture(nil)
            }
            guard let lan = lanAddress ?? DefaultGateway(interface: "", address: gatewayIP).localAddress() else {
                logger.debug("port mapping: no local address toward the gateway \(gatewayIP), not trying")
                return eventLoop.makeSucceededFuture(nil)
            }
            let mapper = PortMapper(eventLoop: eventLoop, gateway: gatewayIP, lanAddress: lan, internalPort: internalPort,
                                    lifetime: lifetime, deadline: deadline, logger: logger)
            return mapper.begin()
        }
    }

    /// Deletes the mapping (and stops whatever is under way); completes
    /// within about the deadline, answered or not. Safe to call twice.
    public func release() -> EventLoopFuture<Void> {
        eventLoop.flatSubmit {
            if let releasePromise = self.releasePromise { return releasePromise.futureResult }
            let promise = self.eventLoop.makePromise(of: Void.self)
            self.releasePromise = promise
            self.releasing = true
            self.refreshTimer?.cancel()
            if let lease = self.lease { self.logger.debug("port mapping: deleting \(lease.external) (\(lease.mappingProtocol))") }
            for engine in self.running { self.perform(engine, self.release(engine)) }
            self.finishIfIdle()
            return promise.futureResult
        }
    }

    // MARK: - Start

    private func begin() -> EventLoopFuture<PortMapper?> {
        let promise = eventLoop.makePromise(of: PortMapper?.self)
        startPromise = promise
        logger.debug("port mapping: asking \(gateway) for UDP \(internalPort) → \(lanAddress):\(internalPort) (PCP/NAT-PMP on :\(PCP.port), UPnP IGD via SSDP)")
        // The ticket must not wait longer than the deadline, whatever the sockets do.
        eventLoop.scheduleTask(in: .milliseconds(Int64(deadline * 1000) + 100)) { [self] in
            if let promise = startPromise {
                startPromise = nil
                promise.succeed(nil)
            }
        }
        let bootstrap = { (host: String) -> EventLoopFuture<Channel> in
            DatagramBootstrap(group: self.eventLoop)
                .channelInitializer { channel in
                    channel.pipeline.addHandler(PortMapperDatagramHandler(logger: self.logger) { [weak self] bytes, source in
                        self?.received(bytes, from: source, on: channel)
                    })
                }
                .bind(host: host, port: 0)
        }
        bootstrap("0.0.0.0").whenComplete { [self] result in
            switch result {
            case .success(let channel):
                pcpChannel = channel
                perform(.pcp, pcp.start(now: now))
            case .failure(let error):
                engineFailed(.pcp, "PCP/NAT-PMP: cannot open a UDP socket: \(error)")
            }
        }
        // SSDP goes to the LAN by multicast; from a loopback address (tests
        // with a fake gateway) it would go nowhere useful, so it does not go.
        if case .v4(let value) = lanAddress, value >> 24 == 127 {
            engineFailed(.upnp, "UPnP IGD: not tried from a loopback address")
            return promise.futureResult
        }
        bootstrap(lanAddress.description).whenComplete { [self] result in
            switch result {
            case .success(let channel):
                ssdpChannel = channel
                perform(.upnp, upnp.start(now: now))
            case .failure(let error):
                engineFailed(.upnp, "UPnP IGD: cannot open a UDP socket: \(error)")
            }
        }
        return promise.futureResult
    }

    private func received(_ bytes: [UInt8], from source: SocketAddress, on channel: Channel) {
        guard let from = source.natAddress else { return }
        if channel === pcpChannel {
            guard from.ip == gateway, from.port == PCP.port else { return }
            perform(.pcp, pcp.received(bytes, now: now))
        } else if channel === ssdpChannel {
            perform(.upnp, upnp.receivedSSDP(bytes, from: from.ip, now: now))
        }
    }

    // MARK: - Engines

    private func release(_ engine: Engine) -> [EngineAction] {
        switch engine {
        case .pcp: return pcp.release(now: now).map(EngineAction.init)
        case .upnp: return upnp.release(now: now).map(EngineAction.init)
        }
    }

    private func timerFired(_ engine: Engine) {
        timers[engine] = nil
        switch engine {
        case .pcp: perform(.pcp, pcp.timerFired(now: now))
        case .upnp: perform(.upnp, upnp.timerFired(now: now))
        }
    }

    private func refresh() {
        guard let winner, !releasing else { return }
        logger.debug("port mapping: refreshing \(lease.map { "\($0.external)" } ?? "")")
        switch winner {
        case .pcp: perform(.pcp, pcp.refresh(now: now))
        case .upnp: perform(.upnp, upnp.refresh(now: now))
        }
    }

    private func perform(_ engine: Engine, _ actions: [PCPClient.Action]) { perform(engine, actions.map(EngineAction.init)) }
    private func perform(_ engine: Engine, _ actions: [UPnPClient.Action]) { perform(engine, actions.map(EngineAction.init)) }

    /// What either machine asks for, in one vocabulary.
    private enum EngineAction {
        case sendToGateway([UInt8])
        case search([[UInt8]])
        case http(Int, HTTPRequest)
        case setTimer(UInt64)
        case note(String)
        case mapped(PortMappingLease)
        case released(confirmed: Bool)
        case failed(PortMappingFailure)

        init(_ action: PCPClient.Action) {
            switch action {
            case .send(let bytes): self = .sendToGateway(bytes)
            case .setTimer(let at): self = .setTimer(at)
            case .mapped(let lease): self = .mapped(lease)
            case .released(let confirmed): self = .released(confirmed: confirmed)
            case .failed(let failure): self = .failed(failure)
            case .fellBackToNATPMP: self = .note("the gateway speaks NAT-PMP, not PCP")
            }
        }

        init(_ action: UPnPClient.Action) {
            switch action {
            case .search(let datagrams): self = .search(datagrams)
            case .http(let id, let request): self = .http(id, request)
            case .setTimer(let at): self = .setTimer(at)
            case .found(let location, let serviceType, let name):
                self = .note("found \(name.map { "\"\($0)\" " } ?? "")at \(location) (\(serviceType.split(separator: ":").suffix(2).joined(separator: ":")))")
            case .retrying(let error): self = .note("\(error); trying again")
            case .mapped(let lease): self = .mapped(lease)
            case .released(let confirmed): self = .released(confirmed: confirmed)
            case .failed(let failure): self = .failed(failure)
            }
        }
    }

    private func perform(_ engine: Engine, _ actions: [EngineAction]) {
        // An abandoned engine's late answers change nothing.
        guard running.contains(engine) else { return }
        for action in actions {
            switch action {
            case .sendToGateway(let bytes):
                guard let channel = pcpChannel, let target = try? SocketAddress(ipAddress: gateway.description, port: Int(PCP.port)) else { continue }
                channel.writeAndFlush(AddressedEnvelope(remoteAddress: target, data: channel.allocator.buffer(bytes: bytes)), promise: nil)
            case .search(let datagrams):
                guard let channel = ssdpChannel, let target = SSDP.multicastAddress.socketAddress else { continue }
                for datagram in datagrams {
                    channel.write(AddressedEnvelope(remoteAddress: target, data: channel.allocator.buffer(bytes: datagram)), promise: nil)
                }
                channel.flush()
            case .http(let id, let request):
                startHTTP(id: id, request)
            case .setTimer(let at):
                timers[engine]?.cancel()
                timers[engine] = eventLoop.scheduleTask(deadline: .uptimeNanoseconds(at)) { [weak self] in self?.timerFired(engine) }
            case .note(let text):
                logger.debug("port mapping: \(engine): \(text)")
            case .mapped(let granted):
                mapped(granted, by: engine)
            case .released(let confirmed):
                logger.debug("port mapping: \(engine): mapping deleted\(confirmed ? "" : " (the gateway did not confirm)")")
                finished(engine)
            case .failed(let failure):
                engineFailed(engine, "\(failure)")
            }
        }
    }

    private func mapped(_ granted: PortMappingLease, by engine: Engine) {
        if winner == engine {
            if granted.external != lease?.external {
                logger.debug("port mapping: the router now forwards \(granted.external) (was \(lease.map { "\($0.external)" } ?? "none"))")
            }
            lease = granted
            scheduleRefresh(granted)
            return
        }
        guard winner == nil, let promise = startPromise, !releasing else {
            // The ticket could not wait (or the host is stopping): nobody
            // will use this mapping.
            logger.debug("port mapping: \(granted.mappingProtocol) mapped \(granted.external) too late; deleting it")
            perform(engine, release(engine))
            return
        }
        winner = engine
        lease = granted
        startPromise = nil
        let duration = granted.lifetime == 0 ? "permanently" : "for \(granted.lifetime) s"
        logger.debug("port mapping: \(granted.mappingProtocol) mapped \(granted.external) → \(lanAddress):\(internalPort) \(duration)")
        scheduleRefresh(granted)
        // One mapping is enough. The other protocol is dropped, not asked to
        // delete: on most routers (miniupnpd) PCP, NAT-PMP and UPnP share one
        // table, and the same port for the same client is the same rule.
        for other in running where other != engine {
            logger.debug("port mapping: \(other): not needed any more")
            abandon(other)
        }
        promise.succeed(self)
    }

    /// Stops `engine` without a word to the router.
    private func abandon(_ engine: Engine) {
        running.remove(engine)
        finished(engine)
    }

    private func scheduleRefresh(_ granted: PortMappingLease) {
        refreshTimer?.cancel()
        guard let seconds = granted.refreshAfterSeconds else { return }
        refreshTimer = eventLoop.scheduleTask(in: .seconds(Int64(seconds))) { [weak self] in self?.refresh() }
    }

    /// `reason` names the protocol (failures do).
    private func engineFailed(_ engine: Engine, _ reason: String) {
        logger.debug("port mapping: \(reason)")
        if winner == engine {
            logger.debug("port mapping: lost \(lease.map { "\($0.external)" } ?? "the mapping"); friends may need the relay")
            lease = nil
            winner = nil
        }
        finished(engine)
    }

    /// `engine` has nothing more under way (failed, released, or never started).
    private func finished(_ engine: Engine) {
        timers.removeValue(forKey: engine)?.cancel()
        running.remove(engine)
        if winner == engine { winner = nil; lease = nil }
        switch engine {
        case .pcp:
            pcpChannel?.close(promise: nil)
            pcpChannel = nil
        case .upnp:
            ssdpChannel?.close(promise: nil)
            ssdpChannel = nil
            for channel in httpChannels.values { channel.close(promise: nil) }
            httpChannels = [:]
        }
        if running.isEmpty {
            if let promise = startPromise {
                startPromise = nil
                logger.debug("port mapping: no router mapping (the ticket carries STUN and relay addresses only)")
                promise.succeed(nil)
            }
        }
        finishIfIdle()
    }

    private func finishIfIdle() {
        guard releasing, running.isEmpty, let promise = releasePromise else { return }
        for channel in httpChannels.values { channel.close(promise: nil) }
        httpChannels = [:]
        refreshTimer?.cancel()
        if let start = startPromise { startPromise = nil; start.succeed(nil) }
        promise.succeed(())
    }

    // MARK: - HTTP

    private func startHTTP(id: Int, _ request: HTTPRequest) {
        let bytes = request.encode()
        let finish: (Result<[UInt8], Error>) -> Void = { [weak self] result in
            guard let self else { return }
            self.eventLoop.execute {
                self.httpChannels.removeValue(forKey: id)
                switch result {
                case .success(let received): self.perform(.upnp, self.upnp.httpResponse(id: id, bytes: received, now: self.now))
                case .failure(let error): self.perform(.upnp, self.upnp.httpFailed(id: id, reason: "\(error)", now: self.now))
                }
            }
        }
        ClientBootstrap(group: eventLoop)
            .connectTimeout(.milliseconds(Int64(deadline * 1000)))
            .channelInitializer { channel in channel.pipeline.addHandler(PortMapperHTTPHandler(finish)) }
            .connect(host: request.url.host, port: Int(request.url.port))
            .whenComplete { [weak self] result in
                switch result {
                case .success(let channel):
                    self?.httpChannels[id] = channel
                    channel.writeAndFlush(channel.allocator.buffer(bytes: bytes), promise: nil)
                case .failure(let error):
                    finish(.failure(error))
                }
            }
    }
}
