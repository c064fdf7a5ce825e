import CNgtcp2
import NIOCore
import NIOPosix

/// One UDP socket carrying any number of QUIC connections: the thin I/O shell
/// around `QUICConnection`. It routes datagrams by destination connection id,
/// accepts new connections (server), arms one timer per connection, and
/// batches outgoing datagrams into one flush per event-loop turn.
/// Everything runs on the channel's event loop.
final class QUICEndpoint: ChannelInboundHandler, QUICConnectionOwner {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    let eventLoop: EventLoop
    private(set) var channel: Channel!
    let identity: TLSIdentity
    let settings: QUICSettings
    /// Server endpoints accept new connections; client endpoints do not.
    let acceptsConnections: Bool
    private(set) var localAddress: SocketAddress!

    private var routes: [ConnectionID: QUICConnection] = [:]
    private var live: [ObjectIdentifier: QUICConnection] = [:]
    private var timers: [ObjectIdentifier: (deadline: UInt64, task: Scheduled<Void>)] = [:]
    private var needsWrite: [ObjectIdentifier: QUICConnection] = [:]
    private var writeScheduled = false
    private var needsFlush = false
    private var insideRead = false
    /// Datagrams we could not route (garbage, stale connections).
    private(set) var droppedDatagrams = 0

    /// STUN/TURN/probes sharing this socket (see `DatagramSideChannel`).
    weak var sideChannel: DatagramSideChannel?
    private(set) lazy var shared = SharedDatagramSocket(endpoint: self)

    var onHandshakeCompleted: ((QUICConnection) -> Void)?
    var onClosed: ((QUICConnection, QUICCloseReason) -> Void)?

    var connections: [QUICConnection] { Array(live.values) }

    var now: UInt64 { NIODeadline.now().uptimeNanoseconds }

    private init(eventLoop: EventLoop, identity: TLSIdentity, settings: QUICSettings, acceptsConnections: Bool) {
        self.eventLoop = eventLoop
        self.identity = identity
        self.settings = settings
        self.acceptsConnections = acceptsConnections
    }

    static func bind(to address: SocketAddress, identity: TLSIdentity, settings: QUICSettings,
                     acceptsConnections: Bool, on eventLoop: EventLoop) -> EventLoopFuture<QUICEndpoint> {
        let endpoint = QUICEndpoint(eventLoop: eventLoop, identity: identity, settings: settings,
                                    acceptsConnections: acceptsConnections)
        // With GRO one read slot may hold up to 64 KiB of coalesced datagrams.
        let messagesPerRead = canCoalesceReceives ? 16 : 64
        let slotSize = canCoalesceReceives ? 65536 : 2048
        var bootstrap = DatagramBootstrap(group: eventLoop)
            .channelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .channelOption(ChannelOptions.socketOption(.so_rcvbuf), value: 4 << 20)
            .channelOption(ChannelOptions.socketOption(.so_sndbuf), value: 4 << 20)
            .channelOption(ChannelOptions.datagramVectorReadMessageCount, value: messagesPerRead)
            .channelOption(ChannelOptions.recvAllocator,
                           value: FixedSizeRecvByteBufferAllocator(capacity: messagesPerRead * slotSize))
            .channelOption(ChannelOptions.maxMessagesPerRead, value: 4)
        if canCoalesceReceives {
            bootstrap = bootstrap
                .channelOption(ChannelOptions.datagramReceiveOffload, value: true)
                .channelOption(ChannelOptions.datagramReceiveSegmentSize, value: true)
        }
        return bootstrap
            .channelInitializer { channel in
                channel.pipeline.addHandler(endpoint)
            }
            .bind(to: address)
            .map { channel in
                endpoint.channel = channel
                endpoint.localAddress = channel.localAddress
                return endpoint
            }
    }

    // MARK: - Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let remote = envelope.remoteAddress
        let now = self.now
        insideRead = true
        envelope.data.withUnsafeReadableBytes { bytes in
            // A GRO read may carry several datagrams of `segmentSize` bytes.
            let segment = envelope.metadata?.segmentSize ?? bytes.count
            guard segment > 0, segment < bytes.count else {
                dispatch(bytes, from: remote, now: now)
                return
            }
            var offset = 0
            while offset < bytes.count {
                let end = min(offset + segment, bytes.count)
                dispatch(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]), from: remote, now: now)
                offset = end
            }
        }
        insideRead = false
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushPendingWrites()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // ICMP errors (port unreachable) surface here on connected paths;
        // QUIC's own timers decide when a peer is gone.
    }

    private func dispatch(_ datagram: UnsafeRawBufferPointer, from remote: SocketAddress, now: UInt64) {
        guard let base = datagram.baseAddress?.assumingMemoryBound(to: UInt8.self), datagram.count > 0 else { return }
        if let sideChannel, sideChannel.socket(shared, received: datagram, from: remote) { return }
        var versionCID = ngtcp2_version_cid()
        guard ngtcp2_pkt_decode_version_cid(&versionCID, base, datagram.count, ConnectionID.length) == 0,
              let dcidPointer = versionCID.dcid else {
            droppedDatagrams += 1
            return
        }
        let dcid = ConnectionID(pointer: dcidPointer, length: versionCID.dcidlen)
        if let connection = routes[dcid] {
            connection.receive(datagram, from: remote, now: now)
            markNeedsWrite(connection)
            return
        }
        guard acceptsConnections else {
            droppedDatagrams += 1
            return
        }
        var header = ngtcp2_pkt_hd()
        guard ngtcp2_accept(&header, base, datagram.count) == 0 else {
            droppedDatagrams += 1
            return
        }
        do {
            let connection = try QUICConnection(serverFor: header, local: localAddress, remote: remote,
                                                identity: identity, settings: settings, now: now, owner: self)
            live[ObjectIdentifier(connection)] = connection
            connection.receive(datagram, from: remote, now: now)
            markNeedsWrite(connection)
        } catch {
            droppedDatagrams += 1
        }
    }

    // MARK: - Client connections

    func connect(to remote: SocketAddress, pinnedFingerprint: [UInt8]) throws -> QUICConnection {
        let connection = try QUICConnection(clientTo: remote, local: localAddress, identity: identity,
                                            pinnedFingerprint: pinnedFingerprint, settings: settings,
                                            now: now, owner: self)
        live[ObjectIdentifier(connection)] = connection
        connectionNeedsWrite(connection)
        return connection
    }

    // MARK: - Outbound

    private func markNeedsWrite(_ connection: QUICConnection) {
        needsWrite[ObjectIdentifier(connection)] = connection
    }

    func connectionNeedsWrite(_ connection: QUICConnection) {
        markNeedsWrite(connection)
        guard !insideRead, !writeScheduled else { return }
        writeScheduled = true
        eventLoop.execute { [self] in
            writeScheduled = false
            flushPendingWrites()
        }
    }

    /// Writes every connection that has something to say, then flushes once.
    func flushPendingWrites() {
        let now = self.now
        while !needsWrite.isEmpty {
            let batch = needsWrite
            needsWrite.removeAll(keepingCapacity: true)
            for connection in batch.values where !connection.isClosed {
                connection.write(now: now)
                armTimer(connection)
            }
        }
        flushIfNeeded()
    }

    private func flushIfNeeded() {
        if needsFlush {
            needsFlush = false
            channel?.flush()
        }
    }

    func send(_ packets: UnsafeRawBufferPointer, to address: SocketAddress, segmentSize: Int?,
              from connection: QUICConnection) {
        guard let channel else { return }
        if let sideChannel, sideChannel.socket(shared, carries: address) {
            // Relayed: one datagram at a time into the side channel (TURN).
            let size = segmentSize ?? packets.count
            var offset = 0
            while offset < packets.count {
                let length = min(size, packets.count - offset)
                sideChannel.socket(shared, relay: UnsafeRawBufferPointer(rebasing: packets[offset..<(offset + length)]), to: address)
                offset += length
            }
            return
        }
        if let segmentSize, !QUICEndpoint.canSegment {
            // No GSO in this kernel: one datagram per packet.
            var offset = 0
            while offset < packets.count {
                let length = min(segmentSize, packets.count - offset)
                send(UnsafeRawBufferPointer(rebasing: packets[offset..<(offset + length)]), to: address,
                     segmentSize: nil, from: connection)
                offset += length
            }
            return
        }
        var buffer = channel.allocator.buffer(capacity: packets.count)
        buffer.writeBytes(packets)
        let metadata = segmentSize.map {
            AddressedEnvelope<ByteBuffer>.Metadata(ecnState: .transportNotCapable, packetInfo: nil, segmentSize: $0)
        }
        channel.write(AddressedEnvelope(remoteAddress: address, data: buffer, metadata: metadata), promise: nil)
        needsFlush = true
    }

    /// A non-QUIC datagram from this socket; with `ttl`, sent with that IP TTL
    /// and the default restored right after (all on the event loop, so no
    /// QUIC packet goes out in between).
    func sendRaw(_ bytes: [UInt8], to address: SocketAddress, ttl: Int?) {
        guard let channel else { return }
        var buffer = channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        let envelope = AddressedEnvelope(remoteAddress: address, data: buffer)
        guard let ttl, let options = channel.syncOptions else {
            channel.write(envelope, promise: nil)
            needsFlush = true
            if !insideRead { flushIfNeeded() }
            return
        }
        let isIPv6 = address.protocol == .inet6
        let ttlOption = ChannelOptions.Types.SocketOption(
            level: isIPv6 ? .ipv6 : .ip,
            name: NIOBSDSocket.Option(rawValue: isIPv6 ? IPV6_UNICAST_HOPS : IP_TTL))
        channel.flush()
        let previous = (try? options.getOption(ttlOption)) ?? 64
        try? options.setOption(ttlOption, value: SocketOptionValue(ttl))
        channel.writeAndFlush(envelope, promise: nil)
        try? options.setOption(ttlOption, value: previous)
    }

    /// A QUIC datagram that came through a relay, handled as if received.
    func inject(_ bytes: [UInt8], from remote: SocketAddress) {
        let now = self.now
        bytes.withUnsafeBytes { datagram in
            guard let base = datagram.baseAddress?.assumingMemoryBound(to: UInt8.self), !datagram.isEmpty else { return }
            var versionCID = ngtcp2_version_cid()
            guard ngtcp2_pkt_decode_version_cid(&versionCID, base, datagram.count, ConnectionID.length) == 0 else {
                droppedDatagrams += 1
                return
            }
            let side = sideChannel
            sideChannel = nil  // already unwrapped: QUIC's, not the side channel's
            dispatch(datagram, from: remote, now: now)
            sideChannel = side
        }
        flushPendingWrites()
    }

    /// UDP generic segmentation offload: many datagrams per syscall.
    static let canSegment = System.supportsUDPSegmentationOffload
    /// UDP generic receive offload: the kernel coalesces datagrams per read.
    static let canCoalesceReceives = System.supportsUDPReceiveOffload

    private func armTimer(_ connection: QUICConnection) {
        let key = ObjectIdentifier(connection)
        let expiry = connection.expiry
        if let existing = timers[key] {
            if existing.deadline == expiry { return }
            existing.task.cancel()
            timers[key] = nil
        }
        guard expiry != .max, !connection.isClosed else { return }
        let task = eventLoop.scheduleTask(deadline: .uptimeNanoseconds(expiry)) { [weak self, weak connection] in
            guard let self, let connection else { return }
            self.timers[key] = nil
            connection.handleExpiry(now: self.now)
            self.armTimer(connection)
            self.flushIfNeeded()
        }
        timers[key] = (expiry, task)
    }

    // MARK: - QUICConnectionOwner

    func connection(_ connection: QUICConnection, issued id: ConnectionID) {
        routes[id] = connection
    }

    func connection(_ connection: QUICConnection, retired id: ConnectionID) {
        if routes[id] === connection { routes[id] = nil }
    }

    func connectionHandshakeCompleted(_ connection: QUICConnection) {
        onHandshakeCompleted?(connection)
    }

    func connection(_ connection: QUICConnection, closedWith reason: QUICCloseReason) {
        let key = ObjectIdentifier(connection)
        timers.removeValue(forKey: key)?.task.cancel()
        needsWrite[key] = nil
        flushIfNeeded()
        // Keep the object alive until the current callback stack unwinds.
        if let closed = live.removeValue(forKey: key) {
            eventLoop.execute { _ = closed }
        }
        onClosed?(connection, reason)
    }

    /// Closes every connection with `code`, flushes, and closes the socket.
    /// Closes every connection (peers are told) but keeps the socket open.
    func closeConnections(applicationError code: UInt64) {
        let now = self.now
        for connection in Array(live.values) {
            connection.close(applicationError: code, now: now)
        }
        flushIfNeeded()
    }

    func shutdown(applicationError code: UInt64) -> EventLoopFuture<Void> {
        closeConnections(applicationError: code)
        // The callbacks may hold objects that hold us (a client's connect
        // race): drop them once nothing more can be reported.
        let release: () -> Void = { [self] in
            onHandshakeCompleted = nil
            onClosed = nil
        }
        guard let channel else {
            release()
            return eventLoop.makeSucceededVoidFuture()
        }
        return channel.close().recover { _ in }.always { _ in release() }
    }
}
