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
    /// The HTTP/3 session of every live connection.
    private var sessions: [ObjectIdentifier: HTTP3Session] = [:]

    public var localAddress: SocketAddress { endpoint.localAddress }
    public var eventLoop: EventLoop { endpoint.eventLoop }
    /// Connected peers whose handshake completed.
    public var peers: [HTTP3Peer] {
        sessions.values.map(\.peer).filter { $0.announced && $0.isConnected }
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
            endpoint.onAccept = { [weak server, unowned endpoint] connection in
                guard let server else { return }
                let session = try HTTP3Session(streams: connection, server: true,
                                               peer: HTTP3Peer(connection: connection, endpoint: endpoint),
                                               maxClientStreams: settings.maxConcurrentRequests)
                session.delegate = server
                connection.application = session
                server.sessions[ObjectIdentifier(connection)] = session
            }
            endpoint.onHandshakeCompleted = { [weak server] connection in
                guard let server, let session = server.sessions[ObjectIdentifier(connection)] else { return }
                server.announce(session.peer)
            }
            endpoint.onClosed = { [weak server] connection, reason in
                guard let server, let session = server.sessions.removeValue(forKey: ObjectIdentifier(connection)),
                      session.peer.announced else { return }
                server.delegate?.http3Server(server, peerDisconnected: session.peer, reason: reason)
            }
            return server
        }
    }

    /// Tells the delegate about a peer once, before its first request.
    private func announce(_ peer: HTTP3Peer) {
        guard !peer.announced else { return }
        peer.announced = true
        delegate?.http3Server(self, peerConnected: peer)
    }

    func session(_ session: HTTP3Session, didReceive request: HTTP3Responder) {
        // A request can arrive in the datagram that completed the handshake,
        // before the endpoint reports the completion.
        announce(session.peer)
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
