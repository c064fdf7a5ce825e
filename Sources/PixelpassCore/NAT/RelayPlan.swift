import Logging
import Foundation
import NIOCore
import PixelpassNAT
import PixelpassTicket
import PixelpassTransport

/// A viewer's own TURN account (`pixelpass view --turn`, `[nat] turn`), for
/// networks where only TCP or TLS gets out: the viewer allocates there and
/// reaches the host's relayed address from its own relay. The host permits
/// its own TURN server's relay IP, so this works when both accounts are on
/// the same server (or the host's permits reach the viewer's relay another way).
public struct ViewerTURN: Sendable, Equatable {
    public var server: TURNServerSetting?
    /// Extra CA certificates (PEM) for a `turns:` server, ours or the ticket's.
    public var caFile: String?

    public init(server: TURNServerSetting? = nil, caFile: String? = nil) {
        self.server = server
        self.caFile = caFile
    }
}

/// The viewer's use of the ticket's relay: an allocation of its own on the
/// host's TURN server (with the ticket's credentials, reached the way the
/// host reaches it), or on the viewer's own TURN server when it has one,
/// through which QUIC packets for the host's relayed address travel (the
/// host permits that server's relay IP).
struct RelayPlan {
    enum Server {
        case address(SocketAddress)
        /// "host:port", looked up when the plan starts.
        case name(String)
    }

    var server: Server
    var hostRelayed: SocketAddress
    var credentials: TURNCredentials
    var transport: TURNTransport
    /// What TLS checks the server's certificate against.
    var serverName: String
    var caFile: String?

    /// Nil when the ticket's relay cannot be used: no credentials for us
    /// (and no TURN of our own), or a transport this version does not know.
    init?(_ relay: TicketRelay, own: ViewerTURN = ViewerTURN()) {
        hostRelayed = relay.relayed.socketAddress
        caFile = own.caFile
        if let mine = own.server {
            server = .name(mine.server)
            credentials = mine.credentials(name: "pixelpass-viewer", unixNow: UInt64(Date().timeIntervalSince1970))
            transport = mine.transport
            serverName = mine.hostName
            return
        }
        guard !relay.username.isEmpty else { return nil }
        server = .address(relay.server.socketAddress)
        credentials = TURNCredentials(username: relay.username, password: relay.password)
        switch relay.transport {
        case .udp:
            transport = .udp
            serverName = relay.server.socketAddress.ipAddress ?? ""
        case .tcp(let name):
            transport = .tcp
            serverName = name
        case .tls(let name):
            transport = .tls
            serverName = name
        case .unknown:
            return nil
        }
    }

    /// Whether to allocate beside `socket`: over UDP the TURN messages share
    /// the QUIC socket, so the server's address family must match; over a
    /// stream only the host's relayed address must be reachable from it.
    func fits(_ socket: SharedDatagramSocket) -> Bool {
        switch (transport, server) {
        case (.udp, .address(let address)): return socket.localAddress.protocol == address.protocol
        case (.udp, .name), (.tcp, _), (.tls, _): return socket.localAddress.protocol == hostRelayed.protocol
        }
    }

    /// Starts the allocation on `socket` (QUIC packets for the host's relayed
    /// address wait until it is ready) and returns the side channel.
    func start(on socket: SharedDatagramSocket, logger: Logger) -> NATSideChannel {
        let channel = NATSideChannel(socket: socket, logger: logger)
        socket.sideChannel = channel
        channel.carryThroughRelay(hostRelayed)
        let loop = socket.eventLoop
        let (transport, credentials, serverName, caFile, hostRelayed) = (self.transport, self.credentials, self.serverName,
                                                                          self.caFile, self.hostRelayed)
        let resolved: EventLoopFuture<SocketAddress?>
        switch server {
        case .address(let address):
            resolved = loop.makeSucceededFuture(address)
        case .name(let name):
            resolved = ServerResolver.resolve([name], timeout: 3, on: loop).map { found in
                // Over UDP the QUIC socket talks to the server: same family.
                let usable = found.map(\.1).filter { transport != .udp || $0.protocol == socket.localAddress.protocol }
                return usable.first
            }
        }
        let description: String
        switch server {
        case .address(let address): description = "\(address)"
        case .name(let name): description = name
        }
        resolved.flatMap { address -> EventLoopFuture<NATAddress> in
            guard let address else {
                return loop.makeFailedFuture(NATError.badServer("\(description) (cannot resolve it)"))
            }
            return channel.allocate(server: address, credentials: credentials, transport: transport,
                                    serverName: serverName, caFile: caFile)
        }.whenComplete { result in
            switch result {
            case .success(let relayed):
                logger.debug("our TURN relay is \(relayed) (over \(transport.label)); the host's is \(hostRelayed)")
            case .failure(let error):
                logger.info("the TURN relay cannot be used: \(error)")
            }
        }
        return channel
    }
}

/// Carries the side channel out of `prepare` (which runs before the race).
/// `@unchecked Sendable`: written in `prepare` and read after the race, both
/// on the viewer's event loop, which orders them.
final class NATBox: @unchecked Sendable {
    var channel: NATSideChannel?
    var rendezvous: ViewerRendezvous?
}
