import Logging
import NIOCore
import NIOPosix

/// Hands every datagram on a port mapper's own UDP socket (PCP/NAT-PMP or
/// SSDP) to the mapper, on the channel's event loop.
final class PortMapperDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    private let onDatagram: ([UInt8], SocketAddress) -> Void

    private let logger: Logger

    init(logger: Logger, _ onDatagram: @escaping ([UInt8], SocketAddress) -> Void) {
        self.logger = logger
        self.onDatagram = onDatagram
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        onDatagram(Array(envelope.data.readableBytesView), envelope.remoteAddress)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // ICMP port unreachable (nothing on 5351) shows up as ECONNREFUSED
        // on some paths; the retransmission schedule copes, the socket stays.
        logger.debug("port mapping: socket error \(error)")
    }
}

/// One HTTP exchange with the gateway: connect, write the request, read
/// until the gateway closes ("Connection: close"), then report once.
final class PortMapperHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private var received: [UInt8] = []
    private var finished = false
    private let onDone: (Result<[UInt8], Error>) -> Void
    /// A router's description or SOAP answer is a few kB; more is not an IGD.
    static let limit = 256 * 1024

    init(_ onDone: @escaping (Result<[UInt8], Error>) -> Void) { self.onDone = onDone }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received += unwrapInboundIn(data).readableBytesView
        if received.count > Self.limit {
            finish(.failure(PortMapperHTTPError.tooLarge))
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.success(received))
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        finish(.failure(error))
        context.close(promise: nil)
    }

    private func finish(_ result: Result<[UInt8], Error>) {
        guard !finished else { return }
        finished = true
        onDone(result)
    }
}

enum PortMapperHTTPError: Error, CustomStringConvertible {
    case tooLarge
    var description: String { "the gateway's HTTP answer is too large" }
}
