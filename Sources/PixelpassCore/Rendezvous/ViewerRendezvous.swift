import Foundation
import Logging
import NIOCore
import PixelpassDHT
import PixelpassNAT
import PixelpassTicket
import PixelpassTransport

/// The viewer's side of the DHT rendezvous (DESIGN §9a), run beside the
/// ticket's direct dial, never before it. It announces itself under the
/// viewers' key (so the host learns our NAT mapping and punches toward it)
/// and publishes a sealed record of its addresses; it looks the host up
/// under the host's key; and it sends low-TTL openers toward the host's
/// addresses until the host's probe arrives. The address that probe came
/// from is dialled: the path is open both ways by then.
final class ViewerRendezvous {
    private let dht: DHTSideChannel
    private let nat: NATSideChannel
    private let keys: RendezvousKeys
    private let ticket: Ticket
    private let late: LateCandidates
    private let logger: Logger
    private var eventLoop: EventLoop { nat.socket.eventLoop }

    private var punching: HolePunchSession?
    /// The IPv6 socket's probes, when there is one.
    private var nat6: NATSideChannel?
    private var punching6: HolePunchSession?
    /// Host addresses to punch toward once we know whether we are behind a NAT.
    private var hostTargets: [SocketAddress] = []
    private var behindNAT: Bool?
    private var pollTask: RepeatedTask?
    private var stopped = false
    private var published = false
    private var polls = 0
    private var announced = false

    /// What the rendezvous learned, for the message when nothing connects.
    private(set) var hostFound = false
    private(set) var heardHost = false

    /// Often at first (the host may have just started), then once a second.
    static let pollInterval = TimeAmount.milliseconds(500)
    /// The most host addresses punched toward: the DHT's answers come from
    /// strangers, and each target costs openers every 200 ms.
    static let maxHostTargets = 16

    init(dht: DHTSideChannel, nat: NATSideChannel, keys: RendezvousKeys, ticket: Ticket, late: LateCandidates,
         logger: Logger) {
        self.dht = dht
        self.nat = nat
        self.keys = keys
        self.ticket = ticket
        self.late = late
        self.logger = logger
    }

    func start() {
        logger.info("also looking for the host through the BitTorrent DHT")
        // Openers must leave all our NATs (two behind a CGNAT) and no more.
        dht.ready.whenSuccess { [weak self] in
            guard let self, let target = self.dht.bootstrapNodes.first else { return }
            self.nat.learnOpenerTTL(toward: target)
        }
        punching = nat.punch(token: keys.punchToken, toward: [], style: .openersOnly, lifetime: nil) { [weak self] address in
            guard let self else { return }
            self.heardHost = true
            self.logger.debug("the host's probe came from \(address); connecting there")
            self.late.add(address)
        }
        // The ticket names where the host was; the DHT may know where it is now.
        for address in ticket.reflexive.map(\.socketAddress) { addHostTarget(address) }
        dht.onReflexive = { [weak self] address in self?.learnedReflexive(address) }
        pollTask = eventLoop.scheduleRepeatedTask(initialDelay: .zero, delay: Self.pollInterval) { [weak self] _ in
            self?.poll()
        }
    }

    /// Looks for the host over IPv6 too, from `nat6`'s socket: its global
    /// addresses go into our record, and the host's are dialled (which
    /// opens our firewall to them) and answered when its probe comes.
    func useIPv6(_ nat6: NATSideChannel) {
        self.nat6 = nat6
        punching6 = nat6.punch(token: keys.punchToken, toward: [], style: .openThenProbe, lifetime: nil) { [weak self] address in
            guard let self else { return }
            self.heardHost = true
            self.logger.debug("the host's probe came over IPv6 from \(address); connecting there")
            self.late.add(address, again: true)
        }
        for address in ticket.addresses.map(\.socketAddress) where address.protocol == .inet6 {
            punching6?.add(address)
        }
    }

    func stop() {
        stopped = true
        pollTask?.cancel()
        dht.onReflexive = nil
        nat.stopPunching(token: keys.punchToken)
        nat6?.stopPunching(token: keys.punchToken)
        dht.stop()
    }

    private func poll() {
        guard !stopped else { return }
        polls += 1
        guard polls <= 6 || polls % 2 == 0 else { return }
        let first = polls == 1
        // Announce once we know where the host is now (and have opened
        // toward it), or know that the DHT does not say: the host punches
        // as soon as it finds us.
        // A whole lookup now and then: the closest nodes our first lookups
        // found (with few nodes known yet) may not be the ones a host that
        // started after us announced to.
        let fresh = polls <= 3 || polls % 8 == 0
        dht.getPeers(keys.hostInfoHash, fresh: fresh, onPeers: { [weak self] peers in
            guard let self else { return }
            for peer in peers { if let address = peer.socketAddress { self.foundHost(address) } }
            if first { self.announce() }
        }, onFinished: { [weak self] _ in
            if first { self?.announce() }
        })
        // The host's record matters only when its address changed since the
        // ticket (a kept ticket): read it now and then, not every second.
        guard polls % 3 == 1 else { return }
        dht.get(publicKey: keys.keyPair.publicKey, salt: RendezvousKeys.hostSalt, onItem: { [weak self] item in
            guard let self, let record = self.keys.record(in: item), record.role == .host else { return }
            for peer in record.addresses {
                guard let address = peer.socketAddress else { continue }
                if address.protocol == .inet6 {
                    guard peer.ip.isGlobalIPv6, self.nat6 != nil else { continue }
                    self.late.add(address)
                    self.punching6?.add(address)
                } else if peer.ip.isPrivateOrLinkLocal || !(self.behindNAT ?? true) {
                    // An interface address (the same LAN, or a public host): dial it.
                    self.late.add(address)
                } else {
                    self.foundHost(address)
                }
            }
        })
    }

    private func announce() {
        guard !stopped, !announced else { return }
        announced = true
        dht.announce(keys.viewerInfoHash, onPeers: nil, onFinished: { [weak self] outcome in
            self?.logger.debug("DHT: announced ourselves (\(outcome))")
        })
    }

    private func foundHost(_ address: SocketAddress) {
        hostFound = true
        addHostTarget(address)
    }

    private func addHostTarget(_ address: SocketAddress) {
        guard address.protocol == nat.socket.localAddress.protocol, !hostTargets.contains(address),
              hostTargets.count < Self.maxHostTargets else { return }
        hostTargets.append(address)
        logger.debug("the host may be at \(address)")
        dht.avoid(address)
        if let ip = address.natAddress?.ip { dht.avoid(ip: ip) }
        // Behind no NAT, there is nothing to open: the host's probes reach
        // us, and each is answered. Unsure yet: wait for the DHT to say.
        if behindNAT == true { punching?.add(address) }
    }

    /// A DHT node says where it sees us: compare with our own addresses.
    private func learnedReflexive(_ address: NATAddress) {
        let port = nat.socket.localAddress.port ?? 0
        let local = InterfaceAddresses.candidates(for: try! SocketAddress(ipAddress: "0.0.0.0", port: 0), port: port)
            .compactMap { $0.socketAddress.natAddress?.ip }
        let natted = !local.contains(address.ip)
        if behindNAT == nil {
            behindNAT = natted
            logger.debug(natted ? "behind a NAT (the DHT sees us at \(address))" : "not behind a NAT")
            if natted { for target in hostTargets { punching?.add(target) } }
        }
        publishRecord(reflexive: address)
    }

    /// Our addresses, sealed, for the host (it reads them when its announce
    /// lookup alone cannot tell: the same LAN, IPv6).
    private func publishRecord(reflexive: NATAddress) {
        guard !published, !stopped else { return }
        published = true
        let port = nat.socket.localAddress.port ?? 0
        var addresses = InterfaceAddresses.candidates(for: try! SocketAddress(ipAddress: "0.0.0.0", port: 0), port: port)
            .filter { !$0.isLoopback }
            .compactMap { $0.socketAddress.natAddress }
        if !addresses.contains(reflexive) { addresses.append(reflexive) }
        if let ipv6Port = nat6?.socket.localAddress.port {
            addresses += InterfaceAddresses.globalIPv6(port: ipv6Port).map(\.socketAddress).compactMap(\.natAddress)
        }
        if let item = RendezvousRecords.item(keys, role: .viewer, addresses: addresses) {
            dht.put(item, keyPair: keys.keyPair)
        }
    }

    /// Why no path was found, in words a user can act on.
    func diagnosis() -> String {
        var reasons: [String] = []
        if !dht.isReachable {
            reasons.append("no DHT node answered (UDP may be blocked here, or the bootstrap nodes are down)")
        } else if !hostFound {
            reasons.append("the host was not found in the DHT (the share may have stopped, or the host runs with --no-dht)")
        }
        if case .endpointDependent = dht.mapping {
            reasons.append("this side's NAT is symmetric (it gives a new port for each destination), so hole punching cannot work")
        } else if dht.isReachable && !heardHost {
            reasons.append("the host's probes never arrived (its NAT may be symmetric, or a firewall drops UDP)")
        }
        return reasons.joined(separator: "; ")
    }
}
