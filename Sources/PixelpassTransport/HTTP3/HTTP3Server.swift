import NIOCore

/// What the host application hears from its HTTP/3 server. Called on the
/// server's event loop.
public protocol HTTP3ServerDelegate: AnyObject {
    func http3Server(_ server: HTTP3Server, peerConnected peer: HTTP3Peer)
    func http3Server(_ server: HTTP3Server, peerDisconnected peer: HTTP3Peer, reason: QUICCloseReason)
    func http3Server(_ server: HTTP3Server, didReceive request: HTTP3Responder)
}

/// An HTTP/3 server on one UDP socket, or two (IPv4 and IPv6) when it
/// listens dual-stack. Create and use it on its event loop.
public final class HTTP3Server: HTTP3SessionDelegate {
    /// The first is the one asked for; an IPv6 one may follow.
    private let endpoints: [QUICEndpoint]
    private var endpoint: QUICEndpoint { endpoints[0] }
    public weak var delegate: HTTP3ServerDelegate?
    /// How many new-connection attempts were answered with a Retry and how
    /// many the admission caps dropped lately (reported at most every few
    /// seconds, only when there were some).
    public var onRefusedInitials: ((_ retried: Int, _ dropped: Int) -> Void)?
    /// The HTTP/3 session of every live connection.
    private var sessions: [ObjectIdentifier: HTTP3Session] = [:]

    public var localAddress: SocketAddress { endpoint.localAddress }
    public var eventLoop: EventLoop { endpoint.eventLoop }
    /// Connected peers whose handshake completed.
    public var peers: [HTTP3Peer] {
        sessions.values.map(\.peer).filter { $0.announced && $0.isConnected }
    }
    /// Datagrams that matched no connection and started none.
    public var droppedDatagrams: Int { endpoints.reduce(0) { $0 + $1.droppedDatagrams } }
    /// The first UDP socket, for STUN/TURN/probes that must share the QUIC port.
    public var socket: SharedDatagramSocket { endpoint.shared }
    /// The IPv6 socket of a dual-stack server.
    public var ipv6Socket: SharedDatagramSocket? { endpoints.dropFirst().first?.shared }

    private init(endpoints: [QUICEndpoint]) {
        self.endpoints = endpoints
    }

    /// Listens on `address`; with `alsoIPv6` and an IPv4 wildcard address,
    /// on the IPv6 wildcard too (the same port when it is free), so hosts
    /// with global IPv6 addresses can be reached without a NAT. A machine
    /// without IPv6 just listens on IPv4.
    public static func start(bindingTo address: SocketAddress, alsoIPv6: Bool = false, identity: TLSIdentity,
                             settings: QUICSettings = QUICSettings(),
                             on eventLoop: EventLoop) -> EventLoopFuture<HTTP3Server> {
        QUICEndpoint.bind(to: address, identity: identity, settings: settings,
                          acceptsConnections: true, on: eventLoop).flatMap { primary in
            guard alsoIPv6, address.protocol == .inet, address.ipAddress == "0.0.0.0" else {
                return eventLoop.makeSucceededFuture(HTTP3Server.wire([primary], settings: settings))
            }
            let port = primary.localAddress.port ?? 0
            let bindIPv6 = { (port: Int) in
                QUICEndpoint.bind(to: try! SocketAddress(ipAddress: "::", port: port), identity: identity,
                                  settings: settings, acceptsConnections: true, on: eventLoop)
            }
            return bindIPv6(port)
                .flatMapError { _ in bindIPv6(0) }
                .map { HTTP3Server.wire([primary, $0], settings: settings) }
                .flatMapErrorThrowing { _ in HTTP3Server.wire([primary], settings: settings) }
        }
    }

    /// The server around bound endpoints, with their callbacks set. On the loop.
    private static func wire(_ endpoints: [QUICEndpoint], settings: QUICSettings) -> HTTP3Server {
        let server = HTTP3Server(endpoints: endpoints)
        for endpoint in endpoints {
            endpoint.onAccept = { [weak server, unowned endpoint] connection in
                guard let server else { return }
                let session = try HTTP3Session(streams: connection, server: true,
                                               peer: HTTP3Peer(connection: connection, endpoint: endpoint),
                                               maxClientStreams: settings.maxConcurrentRequests)
                session.delegate = server
                connection.application = session
                server.sessions[ObjectIdentifier(connection)] = session
            }
            endpoint.onRefusedInitials = { [weak server] in server?.onRefusedInitials?($0, $1) }
            endpoint.onHandshakeCompleted = { [weak server] connection in
                guard let server, let session = server.sessions[ObjectIdentifier(connection)] else { return }
                server.announce(session.peer)
            }
            endpoint.onClosed = { [weak server] connection, reason in
                guard let server, let session = server.sessions.removeValue(forKey: ObjectIdentifier(connection)),
                      session.peer.announced else { return }
                server.delegate?.http3Server(server, peerDisconnected: session.peer, reason: reason)
            }
        }
        return server
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
        for endpoint in endpoints { endpoint.closeConnections(applicationError: HTTP3ErrorCode.noError) }
    }

    public func shutdown() -> EventLoopFuture<Void> {
        let closes = endpoints.map { $0.shutdown(applicationError: HTTP3ErrorCode.noError) }
        return EventLoopFuture.andAllComplete(closes, on: eventLoop)
    }
}
