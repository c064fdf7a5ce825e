import Foundation
import NIOCore
import PixelpassNAT
import PixelpassTicket
import PixelpassTransport

/// What NAT discovery adds to a host's ticket: the router's port mapping,
/// the addresses STUN servers saw us at (and the TURN server's view of us),
/// and the relay.
struct GatheredCandidates {
    /// The router's mapped external address: reachable from anywhere, so
    /// viewers dial it.
    var mapped: [TicketAddress] = []
    /// What STUN saw: reachable only where the NAT lets it, so viewers punch
    /// toward it with the host's help rather than dial it.
    var reflexive: [TicketAddress] = []
    /// Holds the router's port mapping: refreshes it while the host runs;
    /// the host must `release()` it when it shuts down.
    var portMapper: PortMapper?
    var relay: TicketRelay?
    /// Why the relay is missing although one was configured.
    var relayProblem: String?
}

extension NATSideChannel {
    /// Asks the STUN servers, allocates the TURN relay and asks the router
    /// for a port mapping, all at once; completes within about `deadline`
    /// seconds whatever answers (`relayDeadline` when a TURN server is
    /// configured), so the ticket is never held up for long. Viewers' REST
    /// credentials go into the relay.
    func gather(_ settings: NATSettings, deadline: Double) -> EventLoopFuture<GatheredCandidates> {
        let loop = socket.eventLoop
        let names = settings.stunServers + (settings.turn.map { [$0.server] } ?? [])
        let started = NIODeadline.now()
        let mapping = settings.portMapping ? mapPort(deadline: deadline) : loop.makeSucceededFuture(nil)
        let servers = ServerResolver.resolve(names, timeout: deadline * 0.6, on: loop).flatMap { resolved in
            let elapsed = Double((NIODeadline.now() - started).nanoseconds) / 1e9
            let remaining = max(0.2, deadline - elapsed)
            let stunServers = resolved.filter { settings.stunServers.contains($0.0) }.map(\.1)
            let discovery = self.discover(servers: stunServers, deadline: remaining)
            var relay: EventLoopFuture<(TicketRelay?, String?)> = loop.makeSucceededFuture((nil, nil))
            if let turn = settings.turn {
                if let server = resolved.first(where: { $0.0 == turn.server })?.1 {
                    relay = self.allocateRelay(turn, server: server, caFile: settings.turnCA,
                                               deadline: max(remaining, Self.relayDeadline - elapsed))
                } else {
                    relay = loop.makeSucceededFuture((nil, "cannot resolve the TURN server \(turn.server)"))
                }
            }
            return discovery.and(relay).map { found, relayResult in
                var gathered = GatheredCandidates()
                gathered.reflexive = found.compactMap { TicketAddress($0.description) }
                (gathered.relay, gathered.relayProblem) = relayResult
                return gathered
            }
        }
        return servers.and(mapping).map { gathered, mapper in
            var gathered = gathered
            guard let mapper, let lease = mapper.lease, let mapped = TicketAddress(lease.external.description) else {
                return gathered
            }
            gathered.reflexive.removeAll { $0 == mapped }
            gathered.mapped = [mapped]
            gathered.portMapper = mapper
            return gathered
        }
    }

    /// How long a configured TURN server may take before the ticket goes
    /// without its relay. Longer than STUN's second: an allocation over TLS
    /// is four or five round trips to a server that may be far away, and a
    /// user who named a TURN server wants its relay in the ticket.
    static let relayDeadline = 3.0

    /// The router's mapping of the QUIC socket's port, if it grants one.
    private func mapPort(deadline: Double) -> EventLoopFuture<PortMapper?> {
        let local = socket.localAddress
        guard let port = local.port, port > 0, let ip = local.natAddress?.ip, ip.isIPv4 else {
            return socket.eventLoop.makeSucceededFuture(nil)
        }
        // Bound to one address: that one is what the router must forward to.
        let lanAddress = ip == .v4(0) ? nil : ip
        return PortMapper.start(internalPort: UInt16(port), lanAddress: lanAddress, deadline: deadline,
                                logger: logger, on: socket.eventLoop)
    }

    private func allocateRelay(_ turn: TURNServerSetting, server: SocketAddress, caFile: String?,
                               deadline: Double) -> EventLoopFuture<(TicketRelay?, String?)> {
        let loop = socket.eventLoop
        let unixNow = UInt64(Date().timeIntervalSince1970)
        let promise = loop.makePromise(of: (TicketRelay?, String?).self)
        var done = false
        let timeout = loop.scheduleTask(in: .milliseconds(Int64(deadline * 1000))) {
            guard !done else { return }
            done = true
            promise.succeed((nil, "the TURN server \(turn.server) did not answer in time"))
        }
        allocate(server: server, credentials: turn.credentials(name: "pixelpass-host", unixNow: unixNow),
                 transport: turn.transport, serverName: turn.hostName, caFile: caFile,
                 connectTimeout: .milliseconds(Int64(deadline * 900))).whenComplete { result in
            guard !done else { return }
            done = true
            timeout.cancel()
            switch result {
            case .success(let relayed):
                // Viewers allocate on the same server; their relayed addresses
                // share its relay IP, so that one permission lets them all in.
                self.permit(relayed.ip)
                let forViewers: TURNCredentials
                switch turn.auth {
                case .restSecret: forViewers = turn.credentials(name: "pixelpass-viewer", unixNow: unixNow)
                case .password: forViewers = TURNCredentials(username: "", password: "")
                }
                guard let serverAddress = server.natAddress.flatMap({ TicketAddress($0.description) }),
                      let relayedAddress = TicketAddress(relayed.description) else {
                    promise.succeed((nil, "the TURN server gave an address the ticket cannot carry"))
                    return
                }
                var relay = TicketRelay(server: serverAddress, relayed: relayedAddress,
                                        username: forViewers.username, password: forViewers.password)
                // Viewers with the ticket's credentials reach the server the
                // way we do (a TLS port speaks no plain UDP), and check its
                // certificate against the same name.
                switch turn.transport {
                case .udp: break
                case .tcp: relay.transport = .tcp(serverName: turn.hostName)
                case .tls: relay.transport = .tls(serverName: turn.hostName)
                }
                promise.succeed((relay, nil))
            case .failure(let error):
                promise.succeed((nil, "\(error)"))
            }
        }
        return promise.futureResult
    }
}
