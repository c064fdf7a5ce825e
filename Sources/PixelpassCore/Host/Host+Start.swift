import Logging
import NIOCore
import PixelpassMedia
import PixelpassTicket
import PixelpassTransport

// How a host comes to exist: bind, learn the NAT's addresses, make the
// ticket, wire the parts. Nothing here waits on the event loop.
extension Host {
    /// The network half of a start: binds the socket and gathers NAT
    /// candidates. It needs no media, so it runs while the media is being
    /// resolved (which may wait for the desktop's dialog) and the ticket is
    /// not held up by both in turn. Never waits: everything after the bind
    /// runs on `eventLoop`.
    static func prepareNetwork(_ configuration: HostConfiguration, on eventLoop: EventLoop) -> EventLoopFuture<HostNetwork> {
        let identity: TLSIdentity
        let secret: [UInt8]
        do {
            // New each share, or kept on disk so the ticket stays valid (--keep-ticket).
            (identity, secret) = try configuration.ticketIdentity.obtain(commonName: "pixelpass host")
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
        // Dual-stack on the default wildcard bind: global IPv6 addresses
        // need no NAT traversal at all, only a punch through a firewall.
        var quic = QUICSettings()
        quic.congestionControl = configuration.congestionControl
        if let key = StatelessResetKeyStore().obtain() { quic.statelessResetKey = key }
        return HTTP3Server.start(bindingTo: configuration.bind, alsoIPv6: true, identity: identity, settings: quic,
                                 on: eventLoop)
            .flatMapErrorThrowing { error in throw HostError.cannotBind(configuration.bind, error) }
            .hop(to: eventLoop)
            .flatMap { server in
                let nat = NATSideChannel(socket: server.socket, logger: configuration.logger)
                server.socket.sideChannel = nat
                // The DHT joins while STUN asks, so the share is findable soon.
                let dht = configuration.bind.isLoopback || !configuration.nat.dht.enabled ? nil
                    : DHTSideChannel.start(on: server.socket, settings: configuration.nat.dht, logger: configuration.logger)
                // Behind a NAT, the addresses STUN servers see and a TURN relay are what
                // a friend elsewhere can reach; on loopback there is nothing to learn,
                // except from a TURN server that is on loopback too (a local coturn).
                let loopbackTURN = configuration.nat.turn.map { NATSettings(stunServers: [], turn: $0, turnCA: configuration.nat.turnCA,
                                                                             portMapping: false, dht: DHTSettings(enabled: false)) }
                let gathering = !configuration.bind.isLoopback
                    ? nat.gather(configuration.nat, deadline: configuration.discoveryDeadline)
                    : loopbackTURN.map { nat.gather($0, deadline: configuration.discoveryDeadline) }
                        ?? eventLoop.makeSucceededFuture(GatheredCandidates())
                return gathering
                    .map { gathered in
                        HostNetwork(server: server, nat: nat, dht: dht, identity: identity, secret: secret, gathered: gathered)
                    }
                    .flatMapError { error in
                        dht?.stop()
                        // Nothing may keep the socket once the start has failed.
                        return nat.release().flatMap { server.shutdown() }.flatMapThrowing { throw error }
                    }
            }
    }

    /// Makes the ticket and wires the running host around a prepared
    /// network and media already resolved (`MediaPipeline.resolve`). On the
    /// network's event loop.
    static func start(_ configuration: HostConfiguration, media resolved: ResolvedMedia, network: HostNetwork) -> Host {
        if !configuration.nat.dht.enabled && !configuration.bind.isLoopback {
            configuration.logger.info("""
                the DHT rendezvous is off (--no-dht): a friend behind a home router reaches \
                this share only through a TURN relay or a port mapping
                """)
        }
        let host = Host.assemble(configuration, resolved: resolved, server: network.server, nat: network.nat,
                                 identity: network.identity, secret: network.secret, gathered: network.gathered)
        if let ipv6 = network.server.ipv6Socket {
            // Hole-punch probes over IPv6 (through the viewer's firewall).
            let nat6 = NATSideChannel(socket: ipv6, logger: configuration.logger)
            ipv6.sideChannel = nat6
            host.nat6 = nat6
        }
        if let dht = network.dht { host.startRendezvous(dht) }
        return host
    }

    /// The running host around a bound server: its candidate addresses and
    /// ticket, then the parts wired together. On its event loop.
    private static func assemble(_ configuration: HostConfiguration, resolved: ResolvedMedia, server: HTTP3Server,
                                 nat: NATSideChannel, identity: TLSIdentity, secret: [UInt8],
                                 gathered: GatheredCandidates) -> Host {
        let logger = configuration.logger
        let port = server.localAddress.port ?? 0
        var addresses = InterfaceAddresses.candidates(for: configuration.bind, port: port)
        if let ipv6 = server.ipv6Socket, let ipv6Port = ipv6.localAddress.port {
            // Global IPv6 addresses before loopback: a friend may reach them directly.
            let global = InterfaceAddresses.globalIPv6(port: ipv6Port)
            addresses.insert(contentsOf: global, at: addresses.firstIndex(where: \.isLoopback) ?? addresses.endIndex)
        }
        for mapped in gathered.mapped where !addresses.contains(mapped) { addresses.append(mapped) }
        addresses = InterfaceAddresses.forATicket(addresses)
        let reflexive = gathered.reflexive.filter { !addresses.contains($0) }
        let ticket = Ticket(fingerprint: identity.fingerprint,
                            secret: secret,
                            addresses: addresses, relay: gathered.relay?.encoded(), reflexive: reflexive)
        let host = Host(configuration: configuration, resolved: resolved, server: server, ticket: ticket,
                        identity: identity, nat: nat,
                        gathered: gathered)
        logger.debug("listening on \(server.localAddress.ipAddress ?? "?"):\(port); certificate SHA-256 \(ticket.fingerprintHex)")
        for skipped in resolved.skippedEncoders { logger.debug("encoder \(skipped.name) skipped: \(skipped.reason)") }
        for line in LibraryOutput.take() { logger.debug("encoder probe printed: \(line)") }
        host.wireUp()
        return host
    }
}
