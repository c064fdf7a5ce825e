import NIOCore

/// What the host application hears from its HTTP/3 server. Called on the
/// server's event loop.
public protocol HTTP3ServerDelegate: AnyObject {
    func http3Server(_ server: HTTP3Server, peerConnected peer: HTTP3Peer)
    func http3Server(_ server: HTTP3Server, peerDisconnected peer: HTTP3Peer, reason: QUICCloseReason)
    func http3Server(_ server: HTTP3Server, didReceive request: HTTP3Responder)
}

/// An HTTP/3 server on one UDP socket. Create and use it on its event loop.
public final class HTTP3Server: HTTP3SessionDelegate {
    private let endpoint: QUICEndpoint
    public weak var delegate: HTTP3ServerDelegate?

    public var localAddress: SocketAddress { endpoint.localAddress }
    public var eventLoop: EventLoop { endpoint.eventLoop }
    /// Connected peers whose handshake completed.
    public var peers: [HTTP3Peer] {
        endpoint.connections.filter { $0.ownerPeer != nil && !$0.isClosed }.map(\.peer)
    }
    /// Datagrams that matched no connection and started none.
    public var droppedDatagrams: Int { endpoint.droppedDatagrams }
    /// The UDP socket, for STUN/TURN/probes that must share the QUIC port.
    public var socket: SharedDatagramSocket { endpoint.shared }

    private init(endpoint: QUICEndpoint) {
        self.endpoint = endpoint
    }

    public static func start(bindingTo address: SocketAddress, identity: TLSIdentity,
                             settings: QUICSettings = QUICSettings(),
                             on eventLoop: EventLoop) -> EventLoopFuture<HTTP3Server> {
        QUICEndpoint.bind(to: address, identity: identity, settings: settings,
                          acceptsConnections: true, on: eventLoop).map { endpoint in
            let server = HTTP3Server(endpoint: endpoint)
            endpoint.onHandshakeCompleted = { [weak server] connection in
                guard let server else { return }
                connection.http3Delegate = server
                server.delegate?.http3Server(server, peerConnected: connection.peer)
            }
            endpoint.onClosed = { [weak server] connection, reason in
                guard let server, let peer = connection.ownerPeer else { return }
                server.delegate?.http3Server(server, peerDisconnected: peer, reason: reason)
            }
            return server
        }
    }

    func session(_ session: HTTP3Session, didReceive request: HTTP3Responder) {
        delegate?.http3Server(self, didReceive: request)
    }

    /// Closes every connection with H3_NO_ERROR and then the socket.
    /// Tells every peer the share ended (H3_NO_ERROR); the socket stays open
    /// (a TURN allocation on it can still be released).
    public func closeConnections() {
        endpoint.closeConnections(applicationError: HTTP3ErrorCode.noError)
    }

    public func shutdown() -> EventLoopFuture<Void> {
        endpoint.shutdown(applicationError: HTTP3ErrorCode.noError)
    }
}
