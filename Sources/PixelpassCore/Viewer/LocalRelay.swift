import Foundation
import Logging
import NIOCore
import PixelpassMedia
import NIOHTTP1
import NIOPosix
import PixelpassTransport

/// The viewer's localhost HTTP/1.1 server that players open. Each player
/// connection gets its own live-stream request to the host, so restarting
/// the player starts cleanly at a keyframe. Bound to 127.0.0.1 only, and
/// served only under the URL's random token (any local user can reach the
/// port; only those given the URL can watch), with limits any local
/// process could otherwise exhaust (`RelayLimits`).
final class LocalRelay {
    let channel: Channel
    /// `http://127.0.0.1:PORT/TOKEN/`: what players open and users see.
    let url: String
    private var connections: [ObjectIdentifier: RelayConnectionHandler] = [:]
    /// Set while players are shown why the stream ended; `close` waits for it.
    private var farewell: EventLoopFuture<Void>?

    private let logger: Logger

    private init(channel: Channel, gate: RelayGate, logger: Logger) {
        self.channel = channel
        self.logger = logger
        self.url = gate.token.url(port: channel.localAddress?.port ?? 0)
    }

    static func start(port: Int, viewer: Viewer, on eventLoop: EventLoop) -> EventLoopFuture<LocalRelay> {
        var made: LocalRelay?
        let gate = RelayGate()
        return ServerBootstrap(group: eventLoop)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.writeBufferWaterMark,
                                value: .init(low: 64 * 1024, high: 256 * 1024))
            .childChannelInitializer { channel in
                let handler = RelayConnectionHandler(opener: viewer, gate: gate)
                made?.track(handler)
                // The initializer runs on the channel's event loop.
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .bind(host: "127.0.0.1", port: port)
            .map { channel in
                let relay = LocalRelay(channel: channel, gate: gate, logger: viewer.logger)
                made = relay
                return relay
            }
    }

    private func track(_ handler: RelayConnectionHandler) {
        let key = ObjectIdentifier(handler)
        connections[key] = handler
        logger.debug("a player connected to the local URL (\(connections.count) connected)")
        handler.onFinished = { [weak self] in
            guard let self else { return }
            self.connections[key] = nil
            self.logger.debug("a player disconnected from the local URL (\(self.connections.count) connected)")
        }
    }

    /// The host is gone: end every player's response.
    func endAllStreams() {
        for handler in connections.values { handler.endResponse() }
    }

    /// The host is gone: every player gets `card` (rendered off the loop,
    /// nil when it cannot be) spliced onto its stream, plays it for
    /// `seconds`, then sees its response end.
    func bidFarewell(seconds: Int64, render: @escaping @Sendable () -> [UInt8]?) {
        guard farewell == nil else { return }
        let loop = channel.eventLoop
        let promise = loop.makePromise(of: Void.self)
        farewell = promise.futureResult
        DispatchQueue.global().async {
            let card = render()
            loop.execute {
                let handlers = Array(self.connections.values)
                guard let card, !handlers.isEmpty else {
                    self.endAllStreams()
                    return promise.succeed(())
                }
                let ends = handlers.compactMap { $0.showFarewell(card, for: .seconds(seconds)) }
                EventLoopFuture.andAllComplete(ends, on: loop).cascade(to: promise)
            }
        }
    }

    /// Players connected right now.
    var playerCount: Int { connections.count }

    func close() -> EventLoopFuture<Void> {
        let shown = farewell ?? channel.eventLoop.makeSucceededVoidFuture()
        return shown.flatMap {
            self.endAllStreams()
            return self.channel.close().recover { _ in }
        }
    }
}
