import Logging
import Foundation
import NIOCore
import PixelpassNAT
import PixelpassTicket
import PixelpassTransport

/// The viewer's use of the ticket's relay: an allocation of its own on the
/// host's TURN server, through which QUIC packets for the host's relayed
/// address travel (the host permits that server's relay IP).
struct RelayPlan {
    var server: SocketAddress
    var hostRelayed: SocketAddress
    var credentials: TURNCredentials

    /// Nil when the ticket's relay cannot be used (no credentials for us).
    init?(_ relay: TicketRelay) {
        guard !relay.username.isEmpty else { return nil }
        self.server = relay.server.socketAddress
        self.hostRelayed = relay.relayed.socketAddress
        self.credentials = TURNCredentials(username: relay.username, password: relay.password)
    }

    /// Starts the allocation on `socket` (QUIC packets for the host's relayed
    /// address wait until it is ready) and returns the side channel.
    func start(on socket: SharedDatagramSocket, logger: Logger) -> NATSideChannel {
        let channel = NATSideChannel(socket: socket, logger: logger)
        socket.sideChannel = channel
        channel.carryThroughRelay(hostRelayed)
        channel.allocate(server: server, credentials: credentials).whenComplete { result in
            switch result {
            case .success(let relayed): logger.debug("our TURN relay is \(relayed); the host's is \(hostRelayed)")
            case .failure(let error): logger.info("the ticket's TURN relay cannot be used: \(error)")
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
