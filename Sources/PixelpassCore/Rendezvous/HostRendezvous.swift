import Foundation
import Logging
import NIOCore
import PixelpassDHT
import PixelpassNAT
import PixelpassTransport

/// The host's side of the DHT rendezvous (DESIGN §9a). It keeps itself
/// findable under the ticket's host key (an announce from the QUIC socket,
/// and a sealed record of its addresses), and looks for viewers under the
/// viewers' key about once a second. Each viewer address it finds is punched
/// toward (openers, then probes), so the viewer's QUIC handshake gets
/// through the host's NAT; with a TURN allocation, the viewer's IP is also
/// permitted, so a viewer behind any NAT reaches the relayed address with
/// plain UDP while the host's credentials stay here. Addresses from the DHT
/// are hints: the pinned certificate still decides who the host is.
final class HostRendezvous {
    private let dht: DHTSideChannel
    private let nat: NATSideChannel
    /// The IPv6 socket's, when the host listens dual-stack.
    private let nat6: NATSideChannel?
    private let keys: RendezvousKeys
    private let ownAddresses: () -> [NATAddress]
    private let logger: Logger
    private var eventLoop: EventLoop { nat.socket.eventLoop }

    private var punching: HolePunchSession?
    private var punching6: HolePunchSession?
    private var seen: Set<NATAddress> = []
    private var pollTask: RepeatedTask?
    private var polls = 0
    private var polling = false
    private var stopped = false
    /// When our first announce was stored: viewers can know where we are
    /// only after it.
    private var announcedAt: NIODeadline?

    /// A viewer that may know our address only from the DHT (a kept ticket
    /// from an earlier share, or a ticket with no public address) is
    /// punched no sooner than this after our announce: a probe that reaches
    /// its NAT before it has opened toward our current address moves its
    /// port for good (the NAT's entry for our probe outlives the punch). The
    /// viewer's polls come every 500 ms at first, then every second, and
    /// each takes a round trip or two; a loaded machine adds more, so this
    /// leaves room for three polls.
    static let settleAfterAnnounce = TimeAmount.seconds(3)
    /// Whether the viewers' ticket names our current public address: they
    /// open toward it before they announce themselves, so a viewer found
    /// is punched at once.
    private let viewersKnowOurAddress: Bool

    /// Viewers found so far (for the doctor and the logs).
    private(set) var viewersFound = 0

    /// How often the viewers' key is read; the record less often.
    static let pollInterval = TimeAmount.seconds(1)
    static let recordEvery = 3
    /// Whole lookups (not polls of the closest nodes known): the first few,
    /// while the DHT is still being joined, then one in so many.
    static let freshLookups = 4
    static let freshEvery = 10
    /// Announces and records expire (30 min for peers, 2 h for items).
    static let refreshInterval = TimeAmount.minutes(10)
    /// The most viewer addresses punched toward at once.
    static let maxTargets = 32

    init(dht: DHTSideChannel, nat: NATSideChannel, nat6: NATSideChannel?, keys: RendezvousKeys,
         ownAddresses: @escaping () -> [NATAddress], viewersKnowOurAddress: Bool, logger: Logger) {
        self.dht = dht
        self.nat = nat
        self.nat6 = nat6
        self.keys = keys
        self.ownAddresses = ownAddresses
        self.viewersKnowOurAddress = viewersKnowOurAddress
        self.logger = logger
    }

    func start() {
        // Openers must leave all our NATs (two behind a CGNAT) and no more.
        dht.ready.whenSuccess { [weak self] in
            guard let self, let target = self.dht.bootstrapNodes.first else { return }
            self.nat.learnOpenerTTL(toward: target)
        }
        punching = nat.punch(token: keys.punchToken, toward: [], style: .openThenProbe, lifetime: nil)
        punching?.probeDelayRounds = HolePunchSession.rendezvousProbeDelayRounds
        // Through IPv6 firewalls there is no port to move: probe at once.
        punching6 = nat6?.punch(token: keys.punchToken, toward: [], style: .openThenProbe, lifetime: nil)
        publish()
        pollTask = eventLoop.scheduleRepeatedTask(initialDelay: .zero, delay: Self.pollInterval) { [weak self] _ in
            self?.poll()
        }
    }

    func stop() {
        retire()
        dht.stop()
    }

    /// Stops meeting viewers under these keys but leaves the DHT joined,
    /// for a rendezvous under a new ticket's keys.
    func retire() {
        stopped = true
        pollTask?.cancel()
        nat.stopPunching(token: keys.punchToken)
        nat6?.stopPunching(token: keys.punchToken)
    }

    /// Announce and record, now and every `refreshInterval`.
    private func publish() {
        guard !stopped else { return }
        dht.announce(keys.hostInfoHash, onFinished: { [weak self] outcome in
            guard let self else { return }
            self.logger.debug("DHT: announced the share (\(outcome))")
            if self.announcedAt == nil { self.announcedAt = .now() }
        })
        if let item = RendezvousRecords.item(keys, role: .host, addresses: ownAddresses()) {
            dht.put(item, keyPair: keys.keyPair)
        }
        eventLoop.scheduleTask(in: Self.refreshInterval) { [weak self] in self?.publish() }
    }

    /// One look for viewers: their announces every time, their record every
    /// few times. One look at a time.
    private func poll() {
        guard !stopped, !polling else { return }
        polling = true
        polls += 1
        let fresh = polls <= Self.freshLookups || polls % Self.freshEvery == 0
        dht.getPeers(keys.viewerInfoHash, fresh: fresh, onPeers: { [weak self] peers in
            guard let self else { return }
            let before = self.seen.count
            self.found(peers)
            // A new viewer: its record may name IPv6 addresses; read it now.
            if self.seen.count > before { self.readViewerRecord() }
        }, onFinished: { [weak self] _ in
            self?.polling = false
        })
        if polls % Self.recordEvery == 1 { readViewerRecord() }
    }

    /// Punches `target` now when the viewers' ticket names our address, else
    /// once viewers have had time to see our announce (checked again if it
    /// has not even completed yet).
    private func punchOnceSettled(_ target: SocketAddress) {
        guard !stopped else { return }
        if viewersKnowOurAddress {
            punching?.add(target)
            return
        }
        guard let announcedAt else {
            eventLoop.scheduleTask(in: .milliseconds(250)) { [weak self] in self?.punchOnceSettled(target) }
            return
        }
        let settled = announcedAt + Self.settleAfterAnnounce
        if settled <= .now() {
            punching?.add(target)
        } else {
            eventLoop.scheduleTask(deadline: settled) { [weak self] in self?.punchOnceSettled(target) }
        }
    }

    /// The newest viewer's sealed record: its IPv6 and LAN addresses.
    private func readViewerRecord() {
        dht.get(publicKey: keys.keyPair.publicKey, salt: RendezvousKeys.viewerSalt, onItem: { [weak self] item in
            guard let self, let record = self.keys.record(in: item), record.role == .viewer else { return }
            self.found(record.addresses)
        })
    }

    private func found(_ addresses: [NATAddress]) {
        for address in addresses where seen.count < Self.maxTargets && !seen.contains(address) {
            guard let target = address.socketAddress, !target.isLoopback else { continue }
            switch target.protocol {
            case .inet:
                seen.insert(address)
                logger.debug("DHT: a viewer may be at \(address); punching")
                dht.avoid(target)
                nat.permit(address.ip)
                punchOnceSettled(target)
            case .inet6 where punching6 != nil && address.ip.isGlobalIPv6:
                seen.insert(address)
                logger.debug("DHT: a viewer may be at \(address); punching over IPv6")
                punching6?.add(target)
            default:
                continue
            }
            viewersFound += 1
        }
    }
}
