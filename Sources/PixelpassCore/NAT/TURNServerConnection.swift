import NIOCore
import NIOPosix
import PixelpassNAT
import PixelpassTransport

/// How the TURN client's messages reach its server and come back: datagrams
/// on the QUIC socket (UDP, where the server sees the same mapping as QUIC),
/// or a TCP connection, plain or with TLS (RFC 8656 §3.1), for networks that
/// let no UDP out. Only this leg changes: what the server relays to and from
/// peers is UDP whichever way we reach it.
///
/// Over UDP, answers arrive through `NATSideChannel`'s socket hook (the
/// server's address tells them apart); over a stream, `onMessage` gets each
/// whole message the framer cut out. Use on the socket's event loop only.
///
/// TLS design: GnuTLS runs inside the NIO pipeline on the event loop, with
/// push/pull callbacks over byte buffers (`TURNTLSHandler`), rather than on
/// a blocking socket in a thread of its own: one thread, no locks, and the
/// connect and handshake deadlines are ordinary scheduled tasks.
final class TURNServerConnection {
    private enum Carrier {
        case datagrams(SharedDatagramSocket)
        case stream(Channel)
    }

    let server: SocketAddress
    let transport: TURNTransport
    private var carrier: Carrier?
    private var closed = false
    /// Each whole message from the server (streams only).
    var onMessage: (([UInt8]) -> Void)?
    /// The stream ended or broke, with why (streams only; not after `close`).
    var onClosed: ((String) -> Void)?

    private init(server: SocketAddress, transport: TURNTransport) {
        self.server = server
        self.transport = transport
    }

    /// UDP on the QUIC socket.
    static func datagrams(on socket: SharedDatagramSocket, to server: SocketAddress) -> TURNServerConnection {
        let connection = TURNServerConnection(server: server, transport: .udp)
        connection.carrier = .datagrams(socket)
        return connection
    }

    /// Connects over TCP, and for `.tls` completes the handshake (checking the
    /// server's certificate against the system's CAs plus `caFile`, and
    /// against `serverName`), all within `timeout`.
    static func connect(_ transport: TURNTransport, to server: SocketAddress, serverName: String, caFile: String?,
                        timeout: TimeAmount, on eventLoop: EventLoop) -> EventLoopFuture<TURNServerConnection> {
        let connection = TURNServerConnection(server: server, transport: transport)
        let session: TURNTLSSession?
        switch transport {
        case .udp:
            return eventLoop.makeFailedFuture(TURNConnectionError.notAStream)
        case .tcp:
            session = nil
        case .tls:
            do {
                session = try TURNTLSSession(serverName: serverName, trust: TURNTLSTrust(extraCAFile: caFile))
            } catch {
                return eventLoop.makeFailedFuture(error)
            }
        }
        let handshake = eventLoop.makePromise(of: Void.self)
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                var handlers: [ChannelHandler] = []
                if let session { handlers.append(TURNTLSHandler(session: session, handshake: handshake)) }
                handlers.append(TURNStreamHandler(connection: connection))
                return channel.pipeline.addHandlers(handlers)
            }
        let started = NIODeadline.now()
        return bootstrap.connect(to: server)
            .flatMapErrorThrowing { error in
                handshake.fail(error)
                throw TURNConnectionError.connect(server: "\(server)", transport: transport, reason: "\(error)")
            }
            .flatMap { channel -> EventLoopFuture<TURNServerConnection> in
                connection.carrier = .stream(channel)
                guard session != nil else {
                    handshake.succeed(())  // nothing to shake hands about over plain TCP
                    return eventLoop.makeSucceededFuture(connection)
                }
                let remaining = max(.milliseconds(100), timeout - (NIODeadline.now() - started))
                let deadline = eventLoop.scheduleTask(in: remaining) {
                    handshake.fail(TURNConnectionError.handshakeTimedOut(server: "\(server)"))
                }
                return handshake.futureResult
                    .always { _ in deadline.cancel() }
                    .map { connection }
                    .flatMapErrorThrowing { error in
                        connection.close()
                        throw error
                    }
            }
    }

    /// Sends one message (a STUN message or ChannelData) to the server.
    func send(_ bytes: [UInt8]) {
        switch carrier {
        case .datagrams(let socket)?:
            socket.send(bytes, to: server)
        case .stream(let channel)?:
            guard !closed else { return }
            let encoded = TURNStreamFramer.streamEncoding(of: bytes)
            channel.writeAndFlush(channel.allocator.buffer(bytes: encoded), promise: nil)
        case nil:
            break
        }
    }

    /// Whether a datagram from `remote` on the QUIC socket is ours.
    func receivesDatagrams(from remote: SocketAddress) -> Bool {
        switch carrier {
        case .datagrams?: return remote == server
        case .stream?, nil: return false
        }
    }

    func close() {
        guard !closed else { return }
        closed = true
        onMessage = nil
        onClosed = nil
        if case .stream(let channel)? = carrier { channel.close(promise: nil) }
    }

    // From the pipeline.

    fileprivate func delivered(_ message: [UInt8]) {
        guard !closed else { return }
        onMessage?(message)
    }

    fileprivate func ended(_ reason: String) {
        guard !closed else { return }
        closed = true
        let report = onClosed
        onMessage = nil
        onClosed = nil
        report?(reason)
    }
}

/// Why the stream to a TURN server could not be set up or went away.
public enum TURNConnectionError: Error, CustomStringConvertible {
    case notAStream
    case connect(server: String, transport: TURNTransport, reason: String)
    case handshakeTimedOut(server: String)
    case closedDuringHandshake(server: String)

    public var description: String {
        switch self {
        case .notAStream:
            return "UDP to a TURN server needs no connection"
        case .connect(let server, let transport, let reason):
            return "cannot reach the TURN server \(server) over \(transport.label): \(reason)"
        case .handshakeTimedOut(let server):
            return "the TURN server \(server) did not finish the TLS handshake in time (is it a TLS port? coturn's is 5349)"
        case .closedDuringHandshake(let server):
            return "the TURN server \(server) closed the connection during the TLS handshake (is it a TLS port? coturn's is 5349)"
        }
    }
}

/// Cuts the plaintext stream into TURN messages for the connection.
private final class TURNStreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private weak var connection: TURNServerConnection?
    private var framer = TURNStreamFramer()
    private var failure: String?

    init(connection: TURNServerConnection) {
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        framer.append(buffer.readableBytesView)
        do {
            while let message = try framer.next() { connection?.delivered(message) }
        } catch {
            failure = error.description
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if failure == nil { failure = "\(error)" }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection?.ended(failure ?? "the TURN server closed the connection")
        context.fireChannelInactive()
    }
}

/// TLS between the TCP socket (ciphertext) and the TURN framing
/// (plaintext), with GnuTLS driven through `TURNTLSSession`'s buffers.
/// Completes `handshake` once the server's certificate has been accepted,
/// or fails it with why not.
private final class TURNTLSHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let session: TURNTLSSession
    private let handshake: EventLoopPromise<Void>
    private var waiting: [(ByteBuffer, EventLoopPromise<Void>?)] = []
    private var failed = false

    init(session: TURNTLSSession, handshake: EventLoopPromise<Void>) {
        self.session = session
        self.handshake = handshake
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        advance(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        session.receive(unwrapInboundIn(data).readableBytesView)
        advance(context: context)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let plaintext = unwrapOutboundIn(data)
        guard session.isHandshakeDone else {
            waiting.append((plaintext, promise))
            return
        }
        do {
            try session.write(Array(plaintext.readableBytesView))
            sendCiphertext(context: context, promise: promise)
        } catch {
            promise?.fail(error)
            fail(context: context, error)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !session.isHandshakeDone {
            handshake.fail(TURNConnectionError.closedDuringHandshake(server: session.serverName))
        }
        for (_, promise) in waiting { promise?.fail(ChannelError.ioOnClosedChannel) }
        waiting.removeAll()
        context.fireChannelInactive()
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if session.isHandshakeDone, !failed {
            session.close()
            sendCiphertext(context: context, promise: nil)
        }
        context.close(mode: mode, promise: promise)
    }

    private func advance(context: ChannelHandlerContext) {
        guard !failed else { return }
        do {
            if !session.isHandshakeDone {
                let done = try session.handshake()
                sendCiphertext(context: context, promise: nil)
                guard done else { return }
                handshake.succeed(())
                let queued = waiting
                waiting.removeAll()
                for (plaintext, promise) in queued {
                    try session.write(Array(plaintext.readableBytesView))
                    sendCiphertext(context: context, promise: promise)
                }
            }
            guard let plaintext = try session.read() else {
                context.close(promise: nil)
                return
            }
            sendCiphertext(context: context, promise: nil)
            if !plaintext.isEmpty { context.fireChannelRead(wrapInboundOut(context.channel.allocator.buffer(bytes: plaintext))) }
        } catch {
            fail(context: context, error)
        }
    }

    private func sendCiphertext(context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        let ciphertext = session.takeCiphertext()
        guard !ciphertext.isEmpty else {
            promise?.succeed(())
            return
        }
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: ciphertext)), promise: promise)
    }

    private func fail(context: ChannelHandlerContext, _ error: Error) {
        guard !failed else { return }
        failed = true
        handshake.fail(error)
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }
}
