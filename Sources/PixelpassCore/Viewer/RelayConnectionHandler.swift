import NIOCore
import NIOHTTP1
import PixelpassMedia

/// One player connection: parses its request, relays one HTTP/3 stream as a
/// close-delimited HTTP/1.1 body, and applies backpressure both ways. The
/// gate decides whether the connection and its stream fit; the clock
/// decides when a connection that makes no progress is closed.
final class RelayConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = ByteBuffer

    private let opener: any RelayStreamOpener
    private let gate: RelayGate
    private var context: ChannelHandlerContext?
    private var upstream: (any RelayUpstream)?
    private var responding = false
    /// Whether the stream's header went out (the body is MPEG-TS from then on).
    private var streaming = false
    /// What the player was sent, so a farewell picture can follow on.
    private var tail = TransportStreamTail()
    /// Nil until the connection is active.
    private var clock: RelayConnectionClock?
    private var timeout: Scheduled<Void>?
    /// What this connection holds in the gate's counts, given back on close.
    private var holdsConnection = false
    private var holdsStream = false
    var onFinished: (() -> Void)?

    init(opener: any RelayStreamOpener, gate: RelayGate) {
        self.opener = opener
        self.gate = gate
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    private func start(_ context: ChannelHandlerContext) {
        guard clock == nil else { return }
        clock = RelayConnectionClock(openedAt: context.eventLoop.now, limits: gate.limits)
        guard gate.admission.admitConnection() else {
            responding = true
            respondPlain(context, status: "503 Service Unavailable", "Too many connections to this viewer's URL\n")
            return
        }
        holdsConnection = true
        armTimeout(context)
    }

    /// Closes the connection at the clock's deadline, unless it moved on.
    private func armTimeout(_ context: ChannelHandlerContext) {
        timeout?.cancel()
        timeout = nil
        guard let deadline = clock?.deadline else { return }
        timeout = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [weak self] in
            guard let self, let context = self.context, let clock = self.clock else { return }
            if clock.hasExpired(at: context.eventLoop.now) {
                context.close(promise: nil)
            } else {
                self.armTimeout(context)
            }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data), !responding else { return }
        responding = true
        clock?.headReceived(at: context.eventLoop.now)
        armTimeout(context)
        // Nothing about the stream, not even where it is, without the token.
        guard gate.token.admits(head.uri) else {
            respondPlain(context, status: "404 Not Found", "Not found\n")
            return
        }
        guard head.method == .GET || head.method == .HEAD else {
            respondPlain(context, status: "405 Method Not Allowed", "Use GET\n")
            return
        }
        if head.method == .HEAD {
            writeStreamHeader(context)
            context.close(promise: nil)
            return
        }
        guard gate.admission.admitStream() else {
            respondPlain(context, status: "503 Service Unavailable",
                         "Too many players open on this viewer (at most \(gate.limits.maxStreams)): close one and retry\n")
            return
        }
        holdsStream = true
        openUpstream(context)
    }

    private func openUpstream(_ context: ChannelHandlerContext) {
        let request: any RelayUpstream
        do {
            request = try opener.openRelayStream()
        } catch {
            respondPlain(context, status: "502 Bad Gateway", "The host connection is gone\n")
            return
        }
        upstream = request
        var started = false
        request.deliver(status: { [weak self] status in
            guard let self, let context = self.context else { return }
            self.clock?.progressed(at: context.eventLoop.now)
            if status == 200 {
                started = true
                self.streaming = true
                self.clock?.streamStarted()
                self.armTimeout(context)
                self.writeStreamHeader(context)
            } else if status == 503 {
                self.respondPlain(context, status: "503 Service Unavailable", "The host is full\n")
            } else {
                self.respondPlain(context, status: "502 Bad Gateway", "The host answered HTTP \(status)\n")
            }
        }, data: { [weak self] bytes in
            guard started, let self, let context = self.context else { return }
            self.opener.relayed(bytes: bytes.count)
            self.tail.observe(bytes)
            var buffer = context.channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            context.writeAndFlush(self.wrapOutboundOut(buffer), promise: nil)
            if !context.channel.isWritable { request.pause() }
        }, end: { [weak self] in
            self?.upstream = nil
            self?.endResponse()
        })
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { upstream?.resume() }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        // The player went away: stop the host sending this stream.
        upstream?.cancel()
        upstream = nil
        timeout?.cancel()
        timeout = nil
        if holdsStream { gate.admission.streamEnded() }
        if holdsConnection { gate.admission.connectionClosed() }
        holdsStream = false
        holdsConnection = false
        self.context = nil
        onFinished?()
        onFinished = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    /// Ends the close-delimited body.
    func endResponse() {
        context?.close(promise: nil)
    }

    /// Sends `card` as the stream's continuation, then ends the body after
    /// `duration` (the player has it all at once and plays it out at its
    /// timestamps; the end of the body then makes it exit). Completes when
    /// the connection is closed.
    func showFarewell(_ card: [UInt8], for duration: TimeAmount) -> EventLoopFuture<Void>? {
        guard let context else { return nil }
        upstream?.cancel()
        upstream = nil
        guard streaming else {
            context.close(promise: nil)
            return context.channel.closeFuture
        }
        let bytes = TransportStreamSplice.continuation(of: tail, card: card)
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
        let channel = context.channel
        channel.eventLoop.scheduleTask(in: duration) { channel.close(promise: nil) }
        return channel.closeFuture
    }

    private func writeStreamHeader(_ context: ChannelHandlerContext) {
        // A live stream has no length: the body ends when the connection closes.
        let header = "HTTP/1.1 200 OK\r\nContent-Type: video/mp2t\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: header)), promise: nil)
    }

    private func respondPlain(_ context: ChannelHandlerContext, status: String, _ body: String) {
        let text = "HTTP/1.1 \(status)\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text)))
            .whenComplete { _ in context.close(promise: nil) }
    }
}
