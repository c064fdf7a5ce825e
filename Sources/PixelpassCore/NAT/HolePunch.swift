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

/// One punching session toward a peer's candidates: openers, then probes
/// every 200 ms for a few seconds, until `stop()` or the peer is heard.
final class HolePunchSession {
    private let socket: SharedDatagramSocket
    let token: [UInt8]
    private let targets: [SocketAddress]
    private var task: RepeatedTask?
    private var rounds = 0
    /// The first of our targets (or any address) a matching message came from.
    var onHeard: ((SocketAddress) -> Void)?
    private(set) var heard: SocketAddress?

    static let openerTTL = 2
    static let probeInterval = TimeAmount.milliseconds(200)
    static let duration = 6.0

    private let logger: Logger

    init(socket: SharedDatagramSocket, token: [UInt8], targets: [SocketAddress], logger: Logger) {
        self.logger = logger
        self.socket = socket
        self.token = token
        self.targets = targets
    }

    func start() {
        let opener = HolePunchMessage.encode(.probe, token: token)
        for _ in 0..<2 {
            for target in targets { socket.send(opener, to: target, ttl: Self.openerTTL) }
        }
        let maxRounds = Int(Self.duration / 0.2)
        task = socket.eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(300), delay: Self.probeInterval) { [weak self] task in
            guard let self else { task.cancel(); return }
            self.rounds += 1
            if self.rounds > maxRounds || self.heard != nil { task.cancel(); return }
            let probe = HolePunchMessage.encode(.probe, token: self.token)
            for target in self.targets { self.socket.send(probe, to: target) }
        }
    }

    func stop() { task?.cancel() }

    /// A punch message arrived; answers probes and reports the first one heard.
    func received(_ kind: HolePunchMessage.Kind, from remote: SocketAddress) {
        if kind == .probe { socket.send(HolePunchMessage.encode(.answer, token: token), to: remote) }
        guard heard == nil else { return }
        heard = remote
        logger.debug("hole punching: heard our peer at \(remote)")
        onHeard?(remote)
    }
}
