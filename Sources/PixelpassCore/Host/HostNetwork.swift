import NIOCore
import PixelpassTransport

/// A host's bound socket and what it learnt about the network, before there
/// is media to share: `Host.prepareNetwork` makes it, `Host.start` takes it
/// over. Until then its holder must `release()` it if the share never starts.
struct HostNetwork {
    let server: HTTP3Server
    let nat: NATSideChannel
    let dht: DHTSideChannel?
    let identity: TLSIdentity
    let secret: [UInt8]
    let gathered: GatheredCandidates

    /// Gives back everything a started host would: the port mapping, the
    /// TURN allocation, the DHT and the socket.
    func release() -> EventLoopFuture<Void> {
        dht?.stop()
        let loop = server.socket.eventLoop
        let unmapped = gathered.portMapper?.release() ?? loop.makeSucceededVoidFuture()
        return unmapped.flatMap { nat.release() }.flatMap { server.shutdown() }
    }
}
