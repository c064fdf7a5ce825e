import Logging
import NIOCore
import PixelpassTransport

/// The probes both peers send to open a direct path through their NATs
/// (DESIGN §9): first a few "openers" with a small TTL — they leave our own
/// NAT, creating the mapping, but die before the far NAT, so it records no
/// unsolicited packet that would clash with its own peer's outbound mapping —
/// then, a moment later, normal probes. A probe carries a token the viewer
/// chose and gave the host over the authorised HTTP/3 connection, so only
/// our peer's probes count. Format: "PXPUNCH1", kind (1 probe, 2 answer),
/// 8-byte token.
enum HolePunchMessage {
    static let magic = Array("PXPUNCH1".utf8)
    static let length = magic.count + 1 + 8

    enum Kind: UInt8 {
        case probe = 1
        case answer = 2
    }

    static func encode(_ kind: Kind, token: [UInt8]) -> [UInt8] {
        magic + [kind.rawValue] + token.prefix(8)
    }

    /// (kind, token) when `bytes` is a punch message.
    static func decode(_ bytes: UnsafeRawBufferPointer) -> (Kind, [UInt8])? {
        guard bytes.count == length, bytes.starts(with: magic), let kind = Kind(rawValue: bytes[magic.count]) else {
            return nil
        }
        return (kind, Array(bytes[(magic.count + 1)...]))
    }
}

/// One punching session toward a peer's candidates, in one of two styles:
///
/// - `openThenProbe`: openers, then probes every 200 ms for a few seconds
///   per target, until `stop()` or the peer is heard. The side that learns
///   of its peer second (the host, from the rendezvous) and both sides of a
///   relayed upgrade use it.
/// - `openersOnly`: only low-TTL openers, every 200 ms, until the peer's
///   probe is heard (it is answered at once). The side that learns of its
///   peer first (the viewer: the ticket or the DHT names the host before
///   the host hears of it) uses it, so that nothing of ours reaches the far
///   NAT before the far side has sent toward us (DESIGN §9: that packet
///   would leave an UNREPLIED conntrack entry and move the far side's port).
///
/// Targets may be added while it runs (the rendezvous finds them over time);
/// each gets its own openers and probing period.
final class HolePunchSession {
    enum Style {
        case openThenProbe
        case openersOnly
    }

    private let socket: SharedDatagramSocket
    let token: [UInt8]
    let style: Style
    /// Each target and the round in which it was added.
    private var targets: [(address: SocketAddress, since: Int)] = []
    private var task: RepeatedTask?
    private var rounds = 0
    /// The first of our targets (or any address) a matching message came from.
    var onHeard: ((SocketAddress) -> Void)?
    private(set) var heard: SocketAddress?
    /// Keeps its timer while it has nothing to do, for targets to come (the
    /// host's rendezvous session); otherwise it ends when all are done.
    var awaitsMoreTargets = false
    /// Targets whose peer answered: probing them stops.
    private var answered: Set<SocketAddress> = []

    /// Set from `OpenerTTL` once the first hops are known (3 behind a CGNAT).
    var openerTTL = OpenerTTL.standard
    static let probeInterval = TimeAmount.milliseconds(200)
    static let duration = 6.0
    /// Probes start this many rounds after a target's openers (400 ms),
    /// or `rendezvousProbeDelayRounds` in a rendezvous session: a host that
    /// found a viewer in the DHT gives it time to find the host's current
    /// address and open toward it first (a probe that reaches the viewer's
    /// NAT before would move the viewer's port).
    var probeDelayRounds = 2
    static let rendezvousProbeDelayRounds = 3
    private static var roundsPerTarget: Int { Int(duration / 0.2) }
    /// An openers-only session gives up after this long without an answer.
    static let openersOnlyDuration = 20.0

    private let logger: Logger

    init(socket: SharedDatagramSocket, token: [UInt8], targets: [SocketAddress], style: Style = .openThenProbe,
         logger: Logger) {
        self.logger = logger
        self.socket = socket
        self.token = token
        self.style = style
        self.targets = targets.map { ($0, 0) }
    }

    var targetAddresses: [SocketAddress] { targets.map(\.address) }

    func start() {
        for target in targets { open(target.address) }
        task = socket.eventLoop.scheduleRepeatedTask(initialDelay: Self.probeInterval, delay: Self.probeInterval) { [weak self] task in
            guard let self else { task.cancel(); return }
            if !self.tick() { task.cancel() }
        }
    }

    /// Punches toward `address` too (now, from its own openers on).
    func add(_ address: SocketAddress) {
        guard !targets.contains(where: { $0.address == address }) else { return }
        targets.append((address, rounds))
        open(address)
    }

    func stop() {
        task?.cancel()
        task = nil
    }

    /// One 200 ms round; false when there is nothing left to do.
    private func tick() -> Bool {
        rounds += 1
        switch style {
        case .openersOnly:
            guard heard == nil, Double(rounds) * 0.2 < Self.openersOnlyDuration else { return false }
            let opener = HolePunchMessage.encode(.probe, token: token)
            for target in targets { socket.send(opener, to: target.address, ttl: openerTTL) }
            return true
        case .openThenProbe:
            let probe = HolePunchMessage.encode(.probe, token: token)
            var active = false
            for target in targets {
                let age = rounds - target.since
                guard age <= Self.roundsPerTarget, !answered.contains(target.address) else { continue }
                active = true
                if age >= probeDelayRounds { socket.send(probe, to: target.address) }
            }
            return active || awaitsMoreTargets
        }
    }

    private func open(_ address: SocketAddress) {
        let opener = HolePunchMessage.encode(.probe, token: token)
        for _ in 0..<2 { socket.send(opener, to: address, ttl: openerTTL) }
    }

    /// A punch message arrived; answers probes and reports the first one heard.
    func received(_ kind: HolePunchMessage.Kind, from remote: SocketAddress) {
        if kind == .probe { socket.send(HolePunchMessage.encode(.answer, token: token), to: remote) }
        answered.insert(remote)
        guard heard == nil else { return }
        heard = remote
        logger.debug("hole punching: heard our peer at \(remote)")
        onHeard?(remote)
    }
}
