import Foundation
import NIOCore
import NIOPosix
import PixelpassNAT
import PixelpassTicket
import PixelpassTransport

/// What `pixelpass doctor` learns about this machine's place on the
/// internet: the address STUN servers see, how the NAT maps ports, whether
/// the TURN relay takes our credentials, and whether the router maps ports.
public struct NATDiagnosis: Sendable, Equatable {
    public enum Mapping: Sendable, Equatable {
        /// A STUN server saw one of our own interface addresses.
        case noNAT
        /// Two servers saw the same public port: hole punching can work.
        case endpointIndependent
        /// Two servers saw different ports: direct paths need a relay or a port mapping.
        case symmetric
        /// Fewer than two servers answered.
        case unknown
    }

    public var stunServers: [String]
    public var seenAs: [String]
    public var stunAnswers: Int
    public var mapping: Mapping
    /// nil: no TURN server configured.
    public var turnServer: String?
    /// How we reached the TURN server (UDP, TCP or TLS), nil without one.
    public var turnTransport: TURNTransport?
    public var relayed: String?
    public var relayProblem: String?
    /// "PCP mapped 203.0.113.10:4000", or nil when the router mapped nothing.
    public var portMapping: String?
    /// The mainline DHT rendezvous, as a probe found it.
    public enum DHTReach: Sendable, Equatable {
        case off
        case unreachable(bootstrap: [String])
        /// Nodes answered; what they said about our address and mapping.
        case reachable(seenAs: [String], mapping: Mapping)
    }
    public var dht: DHTReach = .off

    /// How long the doctor gives the DHT to answer.
    static let dhtProbeTime = TimeAmount.milliseconds(3000)

    /// Probes with a throwaway socket (about 1.5 s at most).
    public static func run(_ settings: NATSettings, deadline: Double = 1.5) -> NATDiagnosis {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        var result = NATDiagnosis(stunServers: settings.stunServers, seenAs: [], stunAnswers: 0, mapping: .unknown,
                                  turnServer: settings.turn?.server, turnTransport: settings.turn?.transport)
        guard let identity = try? TLSIdentity(commonName: "pixelpass doctor"),
              let bind = try? SocketAddress(ipAddress: "0.0.0.0", port: 0),
              let server = try? HTTP3Server.start(bindingTo: bind, identity: identity, on: loop).wait() else {
            return result
        }
        defer { try? loop.flatSubmit { server.shutdown() }.wait() }
        let nat = (try? loop.submit {
            // The doctor prints its own table; the probe's progress is not shown.
            let channel = NATSideChannel(socket: server.socket, logger: .silent)
            server.socket.sideChannel = channel
            return channel
        }.wait())
        guard let nat, let gathered = try? loop.flatSubmit({ nat.gather(settings, deadline: deadline) }).wait() else {
            return result
        }
        result.seenAs = (gathered.mapped + gathered.reflexive).map(\.description)
        result.stunAnswers = (try? loop.submit { nat.stunAnswers }.wait()) ?? 0
        let port = server.localAddress.port ?? 0
        let own = InterfaceAddresses.candidates(for: bind, port: port)
        let reflexive = gathered.reflexive
        if reflexive.contains(where: { own.contains($0) }) {
            result.mapping = .noNAT
        } else if Set(reflexive.map(\.port)).count > 1 {
            result.mapping = .symmetric
        } else if result.stunAnswers >= 2 {
            result.mapping = .endpointIndependent
        }
        result.relayed = (gathered.relay?.relayed).map(\.description)
        result.relayProblem = gathered.relayProblem
        if let mapper = gathered.portMapper, let lease = mapper.lease {
            result.portMapping = "\(lease.mappingProtocol) mapped \(lease.external)"
            _ = try? loop.flatSubmit { mapper.release() }.wait()
        }
        if settings.dht.enabled {
            result.dht = probeDHT(settings.dht, socket: server.socket, own: own, on: loop)
        }
        _ = try? loop.flatSubmit { nat.release() }.wait()
        return result
    }

    /// Joins the DHT on the probe's socket and reads what the nodes say.
    private static func probeDHT(_ settings: DHTSettings, socket: SharedDatagramSocket, own: [TicketAddress],
                                 on loop: EventLoop) -> DHTReach {
        let dht = try? loop.submit {
            DHTSideChannel.start(on: socket, settings: settings, cache: DHTNodeCache(path: nil), logger: .silent)
        }.wait()
        guard let dht else { return .unreachable(bootstrap: settings.bootstrap) }
        let outcome = try? loop.scheduleTask(in: dhtProbeTime) { () -> DHTReach in
            defer { dht.stop() }
            guard dht.isReachable else { return .unreachable(bootstrap: settings.bootstrap) }
            let seen = dht.reflexive
            let mapping: Mapping
            if seen.contains(where: { address in own.contains { $0.description == address.description } }) {
                mapping = .noNAT
            } else {
                switch dht.mapping {
                case .endpointIndependent: mapping = .endpointIndependent
                case .endpointDependent: mapping = .symmetric
                case .unknown: mapping = .unknown
                }
            }
            return .reachable(seenAs: seen.map(\.description), mapping: mapping)
        }.futureResult.wait()
        return outcome ?? .unreachable(bootstrap: settings.bootstrap)
    }
}
