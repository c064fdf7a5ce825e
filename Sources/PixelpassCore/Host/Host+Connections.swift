import NIOCore
import PixelpassTransport

// Which QUIC connections the host keeps once their handshake completes
// (`ViewerConnections` decides; this closes what it refuses).
extension Host {
    /// A handshake completed: keep the connection if its certificate has
    /// room, and close it unless it makes an authorised request in time.
    func admitConnection(_ peer: HTTP3Peer) {
        let key = ObjectIdentifier(peer)
        logger.debug("connection \(peer.id) from \(peer.remoteAddressDescription)")
        guard connections.connected(key, certificate: Self.certificateKey(peer)) else {
            logger.debug("closing connection \(peer.id): that viewer has \(Self.connectionsPerCertificate) open already")
            // Not from inside the handshake's own event handling.
            eventLoop.execute { peer.close(code: StreamAPI.tooManyConnectionsCode) }
            return
        }
        eventLoop.scheduleTask(in: Self.authorisationDeadline) { [weak self, weak peer] in
            guard let self, let peer, self.connections.needsAuthorisation(key) else { return }
            self.logger.debug("closing connection \(peer.id): no request with the ticket's secret in time")
            peer.close(code: StreamAPI.notAuthorisedCode)
        }
    }
}
