import NIOCore

/// Non-QUIC traffic that shares the QUIC socket — STUN, TURN, port-mapping
/// replies and hole-punching probes all must come from the same port the
/// ticket advertises. Called on the socket's event loop.
public protocol DatagramSideChannel: AnyObject {
    /// Sees every datagram before QUIC does; true consumes it (a STUN or
    /// TURN message, a probe), false lets QUIC have it.
    func socket(_ socket: SharedDatagramSocket, received datagram: UnsafeRawBufferPointer, from remote: SocketAddress) -> Bool
    /// True if packets for `remote` travel another way (a TURN relay): QUIC's
    /// datagrams for it then go to `socket(_:relay:to:)` instead of the wire.
    func socket(_ socket: SharedDatagramSocket, carries remote: SocketAddress) -> Bool
    /// One QUIC datagram for a remote this side channel carries.
    func socket(_ socket: SharedDatagramSocket, relay datagram: UnsafeRawBufferPointer, to remote: SocketAddress)
}

/// The application's handle on a QUIC endpoint's UDP socket, for the side
/// channel: send raw datagrams (optionally with a small TTL, for hole-punch
/// openers) and hand relayed QUIC datagrams back in as if they had arrived
/// from `remote`. Use on `eventLoop` only.
public final class SharedDatagramSocket {
    private unowned let endpoint: QUICEndpoint

    init(endpoint: QUICEndpoint) {
        self.endpoint = endpoint
    }

    public var eventLoop: EventLoop { endpoint.eventLoop }
    public var localAddress: SocketAddress { endpoint.localAddress }

    /// Who sees non-QUIC datagrams first (held weakly).
    public var sideChannel: DatagramSideChannel? {
        get { endpoint.sideChannels.primary }
        set { endpoint.sideChannels.primary = newValue }
    }

    /// Another protocol on this socket, asked after the first (held weakly).
    public func addSideChannel(_ channel: DatagramSideChannel) {
        endpoint.sideChannels.add(channel)
    }

    /// Sends one datagram from the QUIC port. `ttl` limits its hops (an
    /// opener that leaves our NAT but dies before the far one).
    public func send(_ bytes: [UInt8], to remote: SocketAddress, ttl: Int? = nil) {
        endpoint.sendRaw(bytes, to: remote, ttl: ttl)
    }

    /// A QUIC datagram that arrived another way (through a TURN relay) from
    /// `remote`: QUIC handles it as if it came on the socket.
    public func inject(_ datagram: [UInt8], from remote: SocketAddress) {
        endpoint.inject(datagram, from: remote)
    }
}
