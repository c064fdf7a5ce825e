internal import CNgtcp2
import NIOCore
import NIOPosix

/// One UDP socket carrying any number of QUIC connections: the thin I/O shell
/// around `QUICConnection` engines. It demultiplexes what arrives (side
/// channel first, then QUIC by destination connection id), accepts new
/// connections (server), drives each engine (events, then transmits, then
/// its one timer), and batches outgoing datagrams into one flush per
/// event-loop turn. Everything runs on the channel's event loop.
final class QUICEndpoint: ChannelInboundHandler {
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
    /// Caps on handshakes in progress and open connections (server).
    private var admission = ConnectionAdmission()
    /// Where each admitted connection came from, and whether its handshake completed.
    private var admitted: [ObjectIdentifier: (source: ConnectionAdmission.Source, completed: Bool)] = [:]
    /// Seals the tokens of the Retry packets this endpoint sends.
    private let retryToken = RetryToken(key: SecureRandom.bytes(32))
    /// Stateless resets sent in the current one-second window.
    private var resetsInWindow = 0
    private var resetWindowStart: UInt64 = 0
    static let resetsPerSecond = 32
    /// Told how many Initials were answered with a Retry and how many the
    /// caps dropped, at most every few seconds.
    var onRefusedInitials: ((_ retried: Int, _ dropped: Int) -> Void)?
    private var refusalReport: Scheduled<Void>?

    /// STUN/TURN/probes (and later the DHT) sharing this socket; each
    /// datagram is theirs if one claims it, else QUIC's.
    var sideChannels = SideChannels()
    /// False while a relayed datagram is handed back in: it is QUIC's.
    private var sideChannelsListen = true
    private(set) lazy var shared = SharedDatagramSocket(endpoint: self)

    /// A server connection was just accepted: attach its application
    /// before its first packet is handled.
    var onAccept: ((QUICConnection) throws -> Void)?
    var onHandshakeCompleted: ((QUICConnection) -> Void)?
    var onClosed: ((QUICConnection, QUICCloseReason) -> Void)?

    var connections: [QUICConnection] { Array(live.values) }

    var now: UInt64 { NIODeadline.now().uptimeNanoseconds }

    /// Use `bind`; tests attach it to an `EmbeddedChannel` with `didBind`.
    init(eventLoop: EventLoop, identity: TLSIdentity, settings: QUICSettings, acceptsConnections: Bool) {
        self.eventLoop = eventLoop
        self.identity = identity
        self.settings = settings
        self.acceptsConnections = acceptsConnections
    }

    static func bind(to address: SocketAddress, identity: TLSIdentity, settings: QUICSettings,
                     acceptsConnections: Bool, on eventLoop: EventLoop) -> EventLoopFuture<QUICEndpoint> {
        // Made here, used only on `eventLoop` from now on.
        let endpoint = NIOLoopBoundBox.makeBoxSendingValue(
            QUICEndpoint(eventLoop: eventLoop, identity: identity, settings: settings,
                         acceptsConnections: acceptsConnections),
            as: QUICEndpoint.self, eventLoop: eventLoop)
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
        if address.protocol == .inet6 {
            // IPv6 only, so an IPv4 socket may have the same port beside it.
            bootstrap = bootstrap.channelOption(
                ChannelOptions.Types.SocketOption(level: .ipv6, name: .ipv6_v6only), value: 1)
        }
        if canCoalesceReceives {
            bootstrap = bootstrap
                .channelOption(ChannelOptions.datagramReceiveOffload, value: true)
                .channelOption(ChannelOptions.datagramReceiveSegmentSize, value: true)
        }
        return bootstrap
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(endpoint.value)
                }
            }
            .bind(to: address)
            .map { channel in
                let bound = endpoint.value
                bound.didBind(to: channel)
                return bound
            }
    }

    /// The channel this endpoint is the handler of, once bound.
    func didBind(to channel: Channel) {
        self.channel = channel
        localAddress = channel.localAddress
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
        guard !datagram.isEmpty else { return }
        if sideChannelsListen, sideChannels.claim(datagram, from: remote, on: shared) { return }
        guard let dcid = QUICPacketHeader.destinationID(of: datagram) else {
            droppedDatagrams += 1
            return
        }
        if let connection = routes[dcid] {
            connection.handle(datagram: datagram, from: remote, now: now)
            processEvents(of: connection, now: now)
            markNeedsWrite(connection)
            return
        }
        if !acceptsConnections, datagram[0] & 0x80 == 0 {
            // A stateless reset starts with random bytes, not our connection
            // id: only the connection to that address can recognise it.
            for connection in live.values where connection.remoteAddress == remote {
                connection.handle(datagram: datagram, from: remote, now: now)
                processEvents(of: connection, now: now)
            }
            droppedDatagrams += 1
            return
        }
        guard acceptsConnections, let initial = QUICPacketHeader.acceptInitial(datagram) else {
            droppedDatagrams += 1
            // Short header (no long-header bit): a packet of an established connection.
            if acceptsConnections, datagram[0] & 0x80 == 0 {
                resetUnknownConnection(dcid, datagramLength: datagram.count, to: remote, now: now)
            }
            return
        }
        let source = ConnectionAdmission.Source(remote)
        var originalDCID: ngtcp2_cid?
        if initial.carriesToken {
            // Ours from a Retry, or nothing we accept (we issue no other tokens).
            guard let original = retryToken.originalDestination(of: initial, from: remote, now: now) else {
                droppedDatagrams += 1
                return
            }
            originalDCID = original
        }
        switch admission.admit(source, validated: originalDCID != nil) {
        case .accept:
            break
        case .retry:
            if let packet = retryToken.retryPacket(for: initial, from: remote, now: now) {
                sendStateless(packet, to: remote)
            }
            scheduleRefusalReport()
            return
        case .refuse:
            droppedDatagrams += 1
            scheduleRefusalReport()
            return
        }
        do {
            let connection = try QUICConnection(serverFor: initial, retriedFrom: originalDCID, local: localAddress,
                                                remote: remote, identity: identity, settings: settings, now: now)
            admitted[ObjectIdentifier(connection)] = (source, false)
            try onAccept?(connection)
            adopt(connection, now: now)
            connection.handle(datagram: datagram, from: remote, now: now)
            processEvents(of: connection, now: now)
            markNeedsWrite(connection)
        } catch {
            // Nothing was kept: undo the admission.
            if admission.closed(source, completed: false) { AllocatorMemory.giveBack() }
            droppedDatagrams += 1
        }
    }

    /// A short-header packet for a connection this process does not have
    /// (it restarted, or closed the connection): tell the sender, so it
    /// gives up now rather than after its idle timeout. At most
    /// `resetsPerSecond`, so garbage cannot turn us into a packet source.
    private func resetUnknownConnection(_ id: ConnectionID, datagramLength: Int, to remote: SocketAddress, now: UInt64) {
        if now - resetWindowStart >= 1_000_000_000 {
            resetWindowStart = now
            resetsInWindow = 0
        }
        guard resetsInWindow < Self.resetsPerSecond,
              let packet = StatelessReset.packet(for: id, key: settings.statelessResetKey, triggerLength: datagramLength)
        else { return }
        resetsInWindow += 1
        sendStateless(packet, to: remote)
    }

    /// A packet no connection owns (Retry, stateless reset), through the
    /// relay when that is how `remote` reaches us.
    private func sendStateless(_ packet: [UInt8], to remote: SocketAddress) {
        packet.withUnsafeBytes { bytes in
            if let relay = sideChannels.carrier(of: remote, on: shared) {
                relay.socket(shared, relay: bytes, to: remote)
            } else {
                write(bytes, to: remote, segmentSize: nil)
            }
        }
        if !insideRead { flushIfNeeded() }
    }

    /// One log line for many dropped Initials, not one each.
    private func scheduleRefusalReport() {
        guard refusalReport == nil else { return }
        refusalReport = eventLoop.assumeIsolated().scheduleTask(in: .seconds(5)) { [weak self] in
            guard let self else { return }
            self.refusalReport = nil
            let (retried, dropped) = self.admission.takeRefusals()
            if retried + dropped > 0 { self.onRefusedInitials?(retried, dropped) }
        }
    }

    /// Starts driving a new connection.
    private func adopt(_ connection: QUICConnection, now: UInt64) {
        live[ObjectIdentifier(connection)] = connection
        connection.onWantsToWrite = { [weak self, weak connection] in
            guard let self, let connection else { return }
            self.connectionNeedsWrite(connection)
        }
        processEvents(of: connection, now: now)
    }

    /// Acts on what the connection reported, in order.
    private func processEvents(of connection: QUICConnection, now: UInt64) {
        while let event = connection.pollEvent() {
            switch event {
            case .connectionIDIssued(let id):
                routes[id] = connection
            case .connectionIDRetired(let id):
                if routes[id] === connection { routes[id] = nil }
            case .handshakeCompleted:
                let key = ObjectIdentifier(connection)
                if let entry = admitted[key], !entry.completed {
                    admitted[key]?.completed = true
                    admission.handshakeCompleted(entry.source)
                }
                onHandshakeCompleted?(connection)
            case .closed(let reason):
                connectionClosed(connection, reason: reason, now: now)
            }
        }
    }

    /// One send round: every transmit the connection has now.
    private func transmitRound(of connection: QUICConnection, now: UInt64) {
        while let transmit = connection.pollTransmit(now: now) {
            send(transmit)
        }
        // A failure while writing may have closed it.
        processEvents(of: connection, now: now)
    }

    // MARK: - Client connections

    /// Starts a handshake; attach the application before the event loop
    /// turns (the first Initial goes out then).
    func connect(to remote: SocketAddress, pinnedFingerprint: [UInt8]) throws -> QUICConnection {
        let now = self.now
        let connection = try QUICConnection(clientTo: remote, local: localAddress, identity: identity,
                                            pinnedFingerprint: pinnedFingerprint, settings: settings, now: now)
        adopt(connection, now: now)
        connectionNeedsWrite(connection)
        return connection
    }

    /// Moves a client connection to another remote (see `QUICConnection.migrate`).
    func migrate(_ connection: QUICConnection, to remote: SocketAddress, localAlias: SocketAddress) -> Bool {
        let moved = connection.migrate(to: remote, localAlias: localAlias, now: now)
        markNeedsWrite(connection)
        flushPendingWrites()
        return moved
    }

    /// Closes one connection with an application error code; the peer is told.
    func close(_ connection: QUICConnection, applicationError code: UInt64) {
        let now = self.now
        connection.close(applicationError: code, now: now)
        processEvents(of: connection, now: now)
        flushIfNeeded()
    }

    // MARK: - Outbound

    private func markNeedsWrite(_ connection: QUICConnection) {
        needsWrite[ObjectIdentifier(connection)] = connection
    }

    func connectionNeedsWrite(_ connection: QUICConnection) {
        markNeedsWrite(connection)
        guard !insideRead, !writeScheduled else { return }
        writeScheduled = true
        eventLoop.assumeIsolated().execute { [self] in
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
                transmitRound(of: connection, now: now)
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

    /// Puts a connection's transmit on the wire, or into the side channel
    /// when that carries the remote (a TURN relay).
    private func send(_ transmit: QUICTransmit) {
        guard channel != nil else { return }
        let address = transmit.destination
        if let sideChannel = sideChannels.carrier(of: address, on: shared) {
            // Relayed: one datagram at a time into the side channel (TURN).
            for datagram in transmit.datagrams { sideChannel.socket(shared, relay: datagram, to: address) }
            return
        }
        if transmit.segmentSize != nil, !QUICEndpoint.canSegment {
            // No GSO in this kernel: one datagram per packet.
            for datagram in transmit.datagrams { write(datagram, to: address, segmentSize: nil) }
            return
        }
        write(transmit.bytes, to: address, segmentSize: transmit.segmentSize)
    }

    private func write(_ packets: UnsafeRawBufferPointer, to address: SocketAddress, segmentSize: Int?) {
        guard let channel else { return }
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
            guard QUICPacketHeader.destinationID(of: datagram) != nil else {
                droppedDatagrams += 1
                return
            }
            sideChannelsListen = false  // already unwrapped: QUIC's, not a side channel's
            dispatch(datagram, from: remote, now: now)
            sideChannelsListen = true
        }
        flushPendingWrites()
    }

    /// UDP generic segmentation offload: many datagrams per syscall.
    static let canSegment = System.supportsUDPSegmentationOffload
    /// UDP generic receive offload: the kernel coalesces datagrams per read.
    static let canCoalesceReceives = System.supportsUDPReceiveOffload

    private func armTimer(_ connection: QUICConnection) {
        let key = ObjectIdentifier(connection)
        let expiry = connection.pollTimeout()
        if let existing = timers[key] {
            if existing.deadline == expiry { return }
            existing.task.cancel()
            timers[key] = nil
        }
        guard let expiry, !connection.isClosed else { return }
        let task = eventLoop.assumeIsolated().scheduleTask(deadline: .uptimeNanoseconds(expiry)) { [weak self, weak connection] in
            guard let self, let connection else { return }
            self.timers[key] = nil
            let now = self.now
            connection.handleTimeout(now: now)
            self.processEvents(of: connection, now: now)
            if !connection.isClosed { self.transmitRound(of: connection, now: now) }
            self.armTimer(connection)
            self.flushIfNeeded()
        }
        timers[key] = (expiry, task)
    }

    // MARK: - Connection lifecycle

    private func connectionClosed(_ connection: QUICConnection, reason: QUICCloseReason, now: UInt64) {
        // The CONNECTION_CLOSE, if any, goes out first.
        while let transmit = connection.pollTransmit(now: now) { send(transmit) }
        let key = ObjectIdentifier(connection)
        if let entry = admitted.removeValue(forKey: key), admission.closed(entry.source, completed: entry.completed) {
            // A flood has passed: glibc keeps the freed connections' memory
            // in its arenas (1.3 GB after a 20 s flood) unless told.
            AllocatorMemory.giveBack()
        }
        timers.removeValue(forKey: key)?.task.cancel()
        needsWrite[key] = nil
        flushIfNeeded()
        // Keep the object alive until the current call stack unwinds.
        if let closed = live.removeValue(forKey: key) {
            eventLoop.assumeIsolated().execute { _ = closed }
        }
        onClosed?(connection, reason)
    }

    /// Closes every connection (peers are told) but keeps the socket open.
    func closeConnections(applicationError code: UInt64) {
        for connection in Array(live.values) {
            close(connection, applicationError: code)
        }
        flushIfNeeded()
    }

    func shutdown(applicationError code: UInt64) -> EventLoopFuture<Void> {
        closeConnections(applicationError: code)
        // The callbacks may hold objects that hold us (a client's connect
        // race): drop them once nothing more can be reported.
        let release: () -> Void = { [self] in
            onAccept = nil
            onHandshakeCompleted = nil
            onClosed = nil
        }
        guard let channel else {
            release()
            return eventLoop.makeSucceededVoidFuture()
        }
        return channel.close().assumeIsolated().recover { _ in }.always { _ in release() }.nonisolated()
    }
}

/// Lives on its channel's event loop.
@available(*, unavailable)
extension QUICEndpoint: Sendable {}
