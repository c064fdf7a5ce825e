internal import CNgtcp2
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Tunables of a QUIC connection. Times are nanoseconds.
public struct QUICSettings: Sendable {
    /// The peer is given up on after this long without a packet.
    public var idleTimeout: UInt64 = 10 * 1_000_000_000
    /// PING interval that keeps NAT mappings and the idle timer alive.
    public var keepAliveInterval: UInt64 = 2 * 1_000_000_000
    public var handshakeTimeout: UInt64 = 8 * 1_000_000_000
    /// Initial per-stream and per-connection receive windows; ngtcp2 grows
    /// them up to the max windows as the application consumes data.
    public var initialStreamWindow: UInt64 = 2 * 1024 * 1024
    public var initialConnectionWindow: UInt64 = 8 * 1024 * 1024
    public var maxStreamWindow: UInt64 = 16 * 1024 * 1024
    public var maxConnectionWindow: UInt64 = 32 * 1024 * 1024
    /// Requests a client may have open at once (server side).
    public var maxConcurrentRequests: UInt64 = 64
    /// Derives the stateless-reset tokens of a server's connection ids
    /// (`StatelessReset`); keep it across restarts to reset connections an
    /// earlier process had.
    public var statelessResetKey: [UInt8] = SecureRandom.bytes(32)
    /// How the sender finds the path's capacity (see `QUICCongestionControl`).
    public var congestionControl = QUICCongestionControl.standard

    public init() {}
}

/// One QUIC connection as a pollable engine, in the manner of quinn-proto:
/// the single owner of an `ngtcp2_conn` and its GnuTLS session, and the only
/// code in pixelpass that calls ngtcp2. It does no I/O and reads no clock.
///
/// Events in: `handle(datagram:from:now:)`, `handleTimeout(now:)`, `close`,
/// `migrate`. Out, in this order after each event:
/// - `pollEvent()` until nil: routing and lifecycle events for the endpoint;
/// - `pollTransmit(now:)` until nil: datagrams to send (one send round);
/// - `pollTimeout()`: when `handleTimeout` must run next.
/// Stream events go synchronously to the `application` on top (HTTP/3),
/// which talks back through `QUICStreams`.
final class QUICConnection {
    enum Role {
        case server
        case client(pinnedFingerprint: [UInt8])
    }

    private(set) var conn: OpaquePointer!
    private(set) var tls: TLSSession!
    let isServer: Bool
    let settings: QUICSettings

    /// The protocol on top, fed with stream events (owned: it lives exactly
    /// as long as the connection).
    var application: QUICApplication?
    /// Called when the application has data to send outside any event
    /// handling (a new response chunk): the endpoint then polls soon.
    var onWantsToWrite: (() -> Void)?

    let localAddress: SocketAddress
    /// The address packets currently go to (follows the peer's migration).
    private(set) var remoteAddress: SocketAddress
    private var remoteSockaddr: [UInt8]
    /// SHA-256 of the peer's certificate, known after the handshake.
    private(set) var peerFingerprint: [UInt8]?
    private(set) var closeReason: QUICCloseReason?
    /// When a packet from the peer was last accepted (the endpoint's clock):
    /// a peer silent for longer than its keep-alives allow has gone.
    private(set) var lastReceived: UInt64 = 0
    /// Set by ngtcp2's callback when a stateless reset for us arrived.
    var receivedStatelessReset = false
    var isClosed: Bool { closeReason != nil }
    /// Connection ids routed to us (issued and not yet retired).
    private(set) var routedIDs: Set<ConnectionID> = []

    /// Events not yet polled.
    private var events: [QUICEvent] = []
    /// Receive flow-control credit: the one place that decides it.
    var credit = ReceiveCredit()
    /// Where the current send round stands (see `pollTransmit`).
    private var round = SendRound()
    /// A CONNECTION_CLOSE datagram waiting to be polled.
    private var closePacket: (length: Int, destination: SocketAddress)?

    // Stable heap storage ngtcp2/GnuTLS keep pointers to.
    private let connRef: UnsafeMutablePointer<ngtcp2_crypto_conn_ref>
    private let readPath: UnsafeMutablePointer<ngtcp2_path_storage>
    private let writePath: UnsafeMutablePointer<ngtcp2_path_storage>
    private let txBuffer: UnsafeMutableRawBufferPointer
    private let vecs: UnsafeMutablePointer<StreamDataVector>
    private static let maxVecs = 16
    /// Room for a CONNECTION_CLOSE apart from the batch being built.
    private let closeBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 16)

    /// Common set-up: stable storage, then the TLS session pointing at it.
    /// The role-specific initialisers create the ngtcp2_conn afterwards.
    private init(role: TLSSession.Role, local: SocketAddress, remote: SocketAddress, identity: TLSIdentity,
                 settings: QUICSettings) throws {
        switch role {
        case .server: isServer = true
        case .client: isServer = false
        }
        self.settings = settings
        self.localAddress = local
        self.remoteAddress = remote
        self.remoteSockaddr = remote.sockaddrBytes
        (connRef, readPath, writePath, txBuffer, vecs) = QUICConnection.allocateStorage()
        connRef.pointee.user_data = Unmanaged.passUnretained(self).toOpaque()
        tls = try TLSSession(role: role, identity: identity, connRef: connRef)
    }

    /// Client side: starts a handshake towards `remote`; poll it to send the
    /// first Initial.
    convenience init(clientTo remote: SocketAddress, local: SocketAddress, identity: TLSIdentity,
                     pinnedFingerprint: [UInt8], settings: QUICSettings, now: UInt64) throws {
        try self.init(role: .client(pinnedFingerprint: pinnedFingerprint), local: local, remote: remote,
                      identity: identity, settings: settings)
        var dcid = ConnectionID.random(length: 18).ngtcp2
        let scid = ConnectionID.random()
        var params = makeTransportParameters()
        try createConnection(scid: scid, params: &params, now: now) { connection, path, callbacks, ngSettings, params, scidPointer, userData in
            pp_ngtcp2_conn_client_new(&connection, &dcid, scidPointer, path, quicVersion1,
                                      callbacks, ngSettings, params, userData)
        }
    }

    /// Server side: accepts a client's first Initial packet (see
    /// `QUICPacketHeader.acceptInitial`); then `handle` that packet.
    /// `retriedFrom`: the client's first destination id when this Initial
    /// came back with our Retry token (see `RetryToken`).
    convenience init(serverFor initial: QUICInitialHeader, retriedFrom originalDCID: ngtcp2_cid? = nil,
                     local: SocketAddress, remote: SocketAddress,
                     identity: TLSIdentity, settings: QUICSettings, now: UInt64) throws {
        try self.init(role: .server, local: local, remote: remote, identity: identity, settings: settings)
        let header = initial.header
        var clientSCID = header.scid
        var params = makeTransportParameters()
        if let originalDCID {
            // The client must see that the Retry was ours (RFC 9000 §7.3).
            params.original_dcid = originalDCID
            params.retry_scid = header.dcid
            params.retry_scid_present = 1
        } else {
            params.original_dcid = header.dcid
        }
        let scid = ConnectionID.random()
        params.stateless_reset_token_present = 1
        let token = StatelessReset.token(for: scid, key: settings.statelessResetKey)
        withUnsafeMutableBytes(of: &params.stateless_reset_token) { $0.copyBytes(from: token) }
        try createConnection(scid: scid, params: &params, now: now) { connection, path, callbacks, ngSettings, params, scidPointer, userData in
            pp_ngtcp2_conn_server_new(&connection, &clientSCID, scidPointer, path, header.version,
                                      callbacks, ngSettings, params, userData)
        }
        // Retransmitted Initials still carry the client's original dcid.
        register(ConnectionID(header.dcid))
    }

    private typealias ConnectionFactory = (inout OpaquePointer?, UnsafePointer<ngtcp2_path>, UnsafePointer<ngtcp2_callbacks>,
                                           UnsafePointer<ngtcp2_settings>, UnsafePointer<ngtcp2_transport_params>,
                                           UnsafePointer<ngtcp2_cid>, UnsafeMutableRawPointer?) -> Int32

    /// Creates the ngtcp2_conn with our callbacks and settings, links it to
    /// the TLS session, and routes `scid` to us.
    private func createConnection(scid: ConnectionID, params: inout ngtcp2_transport_params, now: UInt64,
                                  _ factory: ConnectionFactory) throws {
        var callbacks = QUICConnection.callbacks(server: isServer)
        var ngSettings = makeSettings(now: now)
        var path = fillPath(readPath, local: localAddress, remote: remoteAddress)
        var scidValue = scid.ngtcp2
        var newConn: OpaquePointer?
        let rv = factory(&newConn, &path, &callbacks, &ngSettings, &params, &scidValue, connRef.pointee.user_data)
        guard rv == 0, let newConn else {
            throw QUICError.ngtcp2(isServer ? "ngtcp2_conn_server_new" : "ngtcp2_conn_client_new", rv)
        }
        conn = newConn
        lastReceived = now
        ngtcp2_conn_set_tls_native_handle(conn, UnsafeMutableRawPointer(tls.session))
        ngtcp2_conn_set_keep_alive_timeout(conn, settings.keepAliveInterval)
        register(scid)
    }

    deinit {
        // The application may point into this connection: release it first.
        application = nil
        if let conn { ngtcp2_conn_del(conn) }
        tls = nil
        connRef.deallocate()
        readPath.deallocate()
        writePath.deallocate()
        txBuffer.deallocate()
        vecs.deallocate()
        closeBuffer.deallocate()
    }

    private static func allocateStorage() -> (UnsafeMutablePointer<ngtcp2_crypto_conn_ref>,
                                               UnsafeMutablePointer<ngtcp2_path_storage>,
                                               UnsafeMutablePointer<ngtcp2_path_storage>,
                                               UnsafeMutableRawBufferPointer,
                                               UnsafeMutablePointer<StreamDataVector>) {
        let connRef = UnsafeMutablePointer<ngtcp2_crypto_conn_ref>.allocate(capacity: 1)
        connRef.initialize(to: ngtcp2_crypto_conn_ref(get_conn: quicGetConn, user_data: nil))
        let readPath = UnsafeMutablePointer<ngtcp2_path_storage>.allocate(capacity: 1)
        ngtcp2_path_storage_zero(readPath)
        let writePath = UnsafeMutablePointer<ngtcp2_path_storage>.allocate(capacity: 1)
        ngtcp2_path_storage_zero(writePath)
        let tx = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 16)
        let vecs = UnsafeMutablePointer<StreamDataVector>.allocate(capacity: maxVecs)
        return (connRef, readPath, writePath, tx, vecs)
    }

    private func makeSettings(now: UInt64) -> ngtcp2_settings {
        var s = ngtcp2_settings()
        pp_ngtcp2_settings_default(&s)
        s.initial_ts = now
        s.handshake_timeout = settings.handshakeTimeout
        s.max_window = settings.maxConnectionWindow
        s.max_stream_window = settings.maxStreamWindow
        s.cc_algo = settings.congestionControl.ngtcp2Algorithm
        return s
    }

    private func makeTransportParameters() -> ngtcp2_transport_params {
        var p = ngtcp2_transport_params()
        pp_ngtcp2_transport_params_default(&p)
        p.initial_max_stream_data_bidi_local = settings.initialStreamWindow
        p.initial_max_stream_data_bidi_remote = settings.initialStreamWindow
        p.initial_max_stream_data_uni = settings.initialStreamWindow
        p.initial_max_data = settings.initialConnectionWindow
        p.initial_max_streams_bidi = isServer ? settings.maxConcurrentRequests : 0
        // HTTP/3 needs control + two QPACK streams each way.
        p.initial_max_streams_uni = 3
        p.max_idle_timeout = settings.idleTimeout
        // ≥ 2 so the peer can migrate to a new path (NAT rebinding, hole punching).
        p.active_connection_id_limit = 7
        return p
    }

    private func fillPath(_ storage: UnsafeMutablePointer<ngtcp2_path_storage>,
                          local: SocketAddress, remote: SocketAddress) -> ngtcp2_path {
        local.withSockAddr { l, llen in
            remote.withSockAddr { r, rlen in
                ngtcp2_path_storage_init(storage, l, ngtcp2_socklen(llen), r, ngtcp2_socklen(rlen), nil)
            }
        }
        return storage.pointee.path
    }

    private func register(_ id: ConnectionID) {
        routedIDs.insert(id)
        events.append(.connectionIDIssued(id))
    }

    // MARK: - Events in

    /// Feeds one received datagram.
    func handle(datagram: UnsafeRawBufferPointer, from remote: SocketAddress, now: UInt64) {
        guard !isClosed, let base = datagram.baseAddress else { return }
        let local = migratedPath.map { $0.remote == remote ? $0.local : localAddress } ?? localAddress
        _ = fillPath(readPath, local: local, remote: remote)
        let rv = pp_ngtcp2_conn_read_pkt(conn, &readPath.pointee.path,
                                         base.assumingMemoryBound(to: UInt8.self), datagram.count, now)
        if rv == 0 { lastReceived = now } else { handleLibraryError(rv, now: now) }
    }

    /// Runs ngtcp2's timers (retransmission, ACK delay, pacing, idle,
    /// keep-alive); call at or after `pollTimeout()`.
    func handleTimeout(now: UInt64) {
        guard !isClosed else { return }
        let rv = ngtcp2_conn_handle_expiry(conn, now)
        if rv != 0 { handleLibraryError(rv, now: now) }
    }

    /// The remote we migrate to, and the local address that path names.
    private var migratedPath: (remote: SocketAddress, local: SocketAddress)?

    /// Why the last `migrate` was refused (ngtcp2's words).
    private(set) var lastMigrationError: String?

    /// Client only: moves the connection to `remote` on the same socket (a
    /// direct path found by hole punching). ngtcp2 validates the new path
    /// and switches only once it answers; the old path keeps working until then.
    ///
    /// ngtcp2 0.12 only migrates to a path with another *local* address, so
    /// the new path names `localAlias` (our interface address toward
    /// `remote`, same socket) as its local end; datagrams from `remote` are
    /// then reported on that path.
    func migrate(to remote: SocketAddress, localAlias: SocketAddress, now: UInt64) -> Bool {
        guard !isClosed else { return false }
        let storage = UnsafeMutablePointer<ngtcp2_path_storage>.allocate(capacity: 1)
        defer { storage.deallocate() }
        migratedPath = (remote, localAlias)
        var path = fillPath(storage, local: localAlias, remote: remote)
        let rv = ngtcp2_conn_initiate_migration(conn, &path, now)
        guard rv == 0 else {
            lastMigrationError = String(cString: ngtcp2_strerror(rv))
            return false
        }
        return true
    }

    /// Closes with an application error code (HTTP/3 codes); the
    /// CONNECTION_CLOSE that tells the peer comes out of `pollTransmit`.
    func close(applicationError code: UInt64, now: UInt64) {
        guard !isClosed else { return }
        var ccerr = ngtcp2_connection_close_error()
        ngtcp2_connection_close_error_default(&ccerr)
        ngtcp2_connection_close_error_set_application_error(&ccerr, code, nil, 0)
        writeConnectionClose(&ccerr, now: now)
        finish(.local)
    }

    // MARK: - Events out

    /// The next routing or lifecycle event, oldest first; nil when none.
    func pollEvent() -> QUICEvent? {
        events.isEmpty ? nil : events.removeFirst()
    }

    /// When `handleTimeout` must run next (nil: never, the connection is over).
    func pollTimeout() -> UInt64? {
        guard !isClosed else { return nil }
        let expiry = ngtcp2_conn_get_expiry(conn)
        return expiry == .max ? nil : expiry
    }

    /// ngtcp2's own view of the path: RTTs, congestion window, bytes in
    /// flight and delivery rate; nil once closed.
    var statistics: QUICPathStatistics? {
        guard !isClosed else { return nil }
        var stat = ngtcp2_conn_stat()
        pp_ngtcp2_conn_get_conn_stat(conn, &stat)
        return QUICPathStatistics(smoothedRTT: stat.smoothed_rtt, minimumRTT: stat.min_rtt,
                                  latestRTT: stat.latest_rtt, congestionWindow: stat.cwnd,
                                  bytesInFlight: stat.bytes_in_flight, deliveryRate: stat.delivery_rate_sec)
    }

    // MARK: - Sending

    /// Where one send round stands (see `pollTransmit`).
    private struct SendRound {
        var isOpen = false
        var finished = false
        var packets = 0
        var maxPackets = 0
        var maxPayload = 0
        /// A packet at `offset` in txBuffer that could not join the last
        /// batch: it starts the next one.
        var carried: (offset: Int, length: Int, destination: SocketAddress)?
    }

    /// Packets written back to back in `txBuffer`, all to one address and
    /// all of `segmentSize` bytes except possibly the last.
    private struct SendBatch {
        var length = 0
        var segmentSize = 0
        var segments = 0
        var destination: SocketAddress?
        /// A shorter packet ends a batch: only the last segment may be short.
        var closed = false

        func canTake(_ length: Int, to destination: SocketAddress) -> Bool {
            segments == 0 || (!closed && length <= segmentSize && destination == self.destination)
        }

        mutating func add(_ length: Int, to destination: SocketAddress) {
            if segments == 0 {
                segmentSize = length
                self.destination = destination
            }
            self.length += length
            segments += 1
            if length < segmentSize { closed = true }
        }
    }

    /// The next datagrams to send, or nil when this send round is done.
    ///
    /// A round writes every packet ngtcp2 is ready to send now, bounded by
    /// its send quantum (pacing comes back through `pollTimeout`), then the
    /// CONNECTION_CLOSE if the connection just closed. Call until nil; the
    /// next call starts a new round. Consecutive packets of one size to one
    /// address come out as one transmit (one GSO batch).
    func pollTransmit(now: UInt64) -> QUICTransmit? {
        if !round.isOpen && !round.finished && !startRound() { round.finished = true }
        if !round.finished, let transmit = nextBatch(now: now) { return transmit }
        if let close = closePacket {
            closePacket = nil
            return QUICTransmit(destination: close.destination,
                                bytes: UnsafeRawBufferPointer(start: closeBuffer.baseAddress, count: close.length),
                                segmentSize: nil)
        }
        round = SendRound()
        return nil
    }

    private func startRound() -> Bool {
        guard !isClosed,
              ngtcp2_conn_is_in_closing_period(conn) == 0,
              ngtcp2_conn_is_in_draining_period(conn) == 0 else { return false }
        let maxPayload = ngtcp2_conn_get_max_tx_udp_payload_size(conn)
        round = SendRound(isOpen: true, finished: false, packets: 0,
                          maxPackets: max(1, min(64, ngtcp2_conn_get_send_quantum(conn) / max(maxPayload, 1))),
                          maxPayload: maxPayload, carried: nil)
        ngtcp2_path_storage_zero(writePath)
        return true
    }

    /// Fills one batch; nil when the round ended with nothing more to send.
    private func nextBatch(now: UInt64) -> QUICTransmit? {
        var batch = SendBatch()
        let base = txBuffer.baseAddress!
        if let carried = round.carried {
            base.copyMemory(from: base + carried.offset, byteCount: carried.length)
            batch.add(carried.length, to: carried.destination)
            round.carried = nil
        }
        while true {
            if txBuffer.count - batch.length < round.maxPayload { return transmit(batch) }
            guard let length = writePacket(at: batch.length, now: now) else {
                endRound(now: now)
                return transmit(batch)
            }
            let destination = address(of: writePath.pointee.path.remote)
            guard batch.canTake(length, to: destination) else {
                round.carried = (batch.length, length, destination)
                return transmit(batch)
            }
            batch.add(length, to: destination)
            round.packets += 1
            if round.packets >= round.maxPackets {
                endRound(now: now)
                return transmit(batch)
            }
        }
    }

    private func endRound(now: UInt64) {
        round.finished = true
        if !isClosed { ngtcp2_conn_update_pkt_tx_time(conn, now) }
    }

    private func transmit(_ batch: SendBatch) -> QUICTransmit? {
        guard batch.segments > 0, let destination = batch.destination else { return nil }
        return QUICTransmit(destination: destination,
                            bytes: UnsafeRawBufferPointer(start: txBuffer.baseAddress, count: batch.length),
                            segmentSize: batch.segments > 1 ? batch.segmentSize : nil)
    }

    /// Writes one packet at `offset` in txBuffer, pulling stream data from
    /// the application. Returns its length, or nil when nothing more goes
    /// out in this round (including when the connection just failed).
    private func writePacket(at offset: Int, now: UInt64) -> Int? {
        let buffer = txBuffer.baseAddress!.assumingMemoryBound(to: UInt8.self) + offset
        while true {
            guard !isClosed else { return nil }
            var pending = PendingStreamData.none
            if let application, ngtcp2_conn_get_max_data_left(conn) > 0 {
                do {
                    pending = try application.nextStreamData(into: vecs, capacity: QUICConnection.maxVecs)
                } catch {
                    close(applicationError: applicationCode(of: error), now: now)
                    return nil
                }
            }
            var flags = UInt32(NGTCP2_WRITE_STREAM_FLAG_MORE)
            if pending.fin { flags |= UInt32(NGTCP2_WRITE_STREAM_FLAG_FIN) }
            var accepted: ngtcp2_ssize = -1
            let n = vecs.withMemoryRebound(to: ngtcp2_vec.self, capacity: QUICConnection.maxVecs) {
                pp_ngtcp2_conn_writev_stream(conn, &writePath.pointee.path, buffer, round.maxPayload,
                                             &accepted, flags, pending.stream, $0, pending.count, now)
            }
            if n < 0 {
                switch Int32(n) {
                case NGTCP2_ERR_STREAM_DATA_BLOCKED:
                    application?.streamBlocked(pending.stream)
                    continue
                case NGTCP2_ERR_STREAM_SHUT_WR:
                    application?.streamWriteShut(pending.stream)
                    continue
                case NGTCP2_ERR_WRITE_MORE:
                    guard reportSent(accepted, on: pending.stream, now: now) else { return nil }
                    continue
                default:
                    handleLibraryError(Int32(n), now: now)
                    return nil
                }
            }
            guard reportSent(accepted, on: pending.stream, now: now) else { return nil }
            return n == 0 ? nil : Int(n)
        }
    }

    private func reportSent(_ accepted: ngtcp2_ssize, on stream: Int64, now: UInt64) -> Bool {
        guard accepted >= 0, stream >= 0, let application else { return true }
        do {
            try application.sent(Int(accepted), on: stream)
            return true
        } catch {
            close(applicationError: applicationCode(of: error), now: now)
            return false
        }
    }

    /// The code to close with for an application-layer failure.
    func applicationCode(of error: Error) -> UInt64 {
        (error as? QUICApplicationError)?.applicationCode ?? application?.internalErrorCode ?? 0
    }

    /// The remote address of a written packet; follows the peer's migration.
    private func address(of addr: ngtcp2_addr) -> SocketAddress {
        guard let sa = addr.addr, addr.addrlen > 0 else { return remoteAddress }
        let count = Int(addr.addrlen)
        let same = remoteSockaddr.count == count && remoteSockaddr.withUnsafeBytes {
            memcmp($0.baseAddress!, sa, count) == 0
        }
        if !same, let moved = SocketAddress(sockaddr: sa, length: count) {
            remoteAddress = moved
            remoteSockaddr = Array(UnsafeRawBufferPointer(start: sa, count: count))
        }
        return remoteAddress
    }

    /// Writes a CONNECTION_CLOSE into its own buffer and queues it for
    /// `pollTransmit` (after any batch of the current round).
    func writeConnectionClose(_ ccerr: inout ngtcp2_connection_close_error, now: UInt64) {
        guard ngtcp2_conn_is_in_closing_period(conn) == 0,
              ngtcp2_conn_is_in_draining_period(conn) == 0 else { return }
        let storage = UnsafeMutablePointer<ngtcp2_path_storage>.allocate(capacity: 1)
        defer { storage.deallocate() }
        ngtcp2_path_storage_zero(storage)
        let room = min(ngtcp2_conn_get_max_tx_udp_payload_size(conn), closeBuffer.count)
        let n = pp_ngtcp2_conn_write_connection_close(conn, &storage.pointee.path,
                                                      closeBuffer.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                                      room, &ccerr, now)
        if n > 0 { closePacket = (Int(n), address(of: storage.pointee.path.remote)) }
    }

    // MARK: - Ending

    /// An application failure inside an ngtcp2 callback, reported as the
    /// close code once ngtcp2 returns (see `handleLibraryError`).
    var pendingApplicationError: UInt64?

    /// Maps an ngtcp2 error to a close reason; tells the peer when it is our fault.
    func handleLibraryError(_ rv: Int32, now: UInt64) {
        switch rv {
        case NGTCP2_ERR_DRAINING where receivedStatelessReset:
            finish(.failed("the peer no longer knows this connection (stateless reset: it restarted or dropped it)"))
        case NGTCP2_ERR_DRAINING:
            var received = ngtcp2_connection_close_error()
            ngtcp2_conn_get_connection_close_error(conn, &received)
            let isApplication = received.type == NGTCP2_CONNECTION_CLOSE_ERROR_CODE_TYPE_APPLICATION
            finish(.peerClosed(applicationCode: isApplication ? received.error_code : nil))
        case NGTCP2_ERR_IDLE_CLOSE:
            finish(.idleTimeout)
        case NGTCP2_ERR_HANDSHAKE_TIMEOUT:
            finish(.handshakeTimeout)
        case NGTCP2_ERR_DROP_CONN:
            finish(.failed("connection dropped"))
        case NGTCP2_ERR_DISCARD_PKT, NGTCP2_ERR_CLOSING:
            return
        default:
            var ccerr = ngtcp2_connection_close_error()
            ngtcp2_connection_close_error_default(&ccerr)
            if let appError = pendingApplicationError {
                ngtcp2_connection_close_error_set_application_error(&ccerr, appError, nil, 0)
            } else if rv == NGTCP2_ERR_CRYPTO {
                ngtcp2_connection_close_error_set_transport_error_tls_alert(&ccerr, ngtcp2_conn_get_tls_alert(conn), nil, 0)
            } else {
                ngtcp2_connection_close_error_set_transport_error_liberr(&ccerr, rv, nil, 0)
            }
            writeConnectionClose(&ccerr, now: now)
            if tls.pinMismatch {
                finish(.identityMismatch)
            } else {
                finish(.failed(String(cString: ngtcp2_strerror(rv))))
            }
        }
    }

    private func finish(_ reason: QUICCloseReason) {
        guard closeReason == nil else { return }
        closeReason = reason
        application?.connectionClosed(reason)
        for id in routedIDs { events.append(.connectionIDRetired(id)) }
        routedIDs.removeAll()
        events.append(.closed(reason))
    }

    // MARK: - Called from the ngtcp2 callback thunks

    func didCompleteHandshake() {
        peerFingerprint = tls.peerFingerprint()
        events.append(.handshakeCompleted)
    }

    func issueConnectionID(into cid: UnsafeMutablePointer<ngtcp2_cid>, token: UnsafeMutablePointer<UInt8>?, length: Int) {
        let id = ConnectionID.random(length: length)
        cid.pointee = id.ngtcp2
        if isServer {
            let derived = StatelessReset.token(for: id, key: settings.statelessResetKey)
            token?.update(from: derived, count: derived.count)
        } else {
            SecureRandom.fill(token, Int(NGTCP2_STATELESS_RESET_TOKENLEN))
        }
        register(id)
    }

    func retireConnectionID(_ id: ConnectionID) {
        if routedIDs.remove(id) != nil { events.append(.connectionIDRetired(id)) }
    }

    static func from(_ userData: UnsafeMutableRawPointer?) -> QUICConnection {
        Unmanaged<QUICConnection>.fromOpaque(userData!).takeUnretainedValue()
    }
}

/// ngtcp2_crypto_conn_ref.get_conn: the connection behind a TLS session.
private func quicGetConn(_ ref: UnsafeMutablePointer<ngtcp2_crypto_conn_ref>?) -> OpaquePointer? {
    QUICConnection.from(ref?.pointee.user_data).conn
}

extension QUICError {
    /// Translates an ngtcp2 return code, with the library's message.
    static func ngtcp2(_ call: String, _ code: Int32) -> QUICError {
        .library(call: call, message: String(cString: ngtcp2_strerror(code)))
    }
}

/// Lives on its endpoint's event loop.
@available(*, unavailable)
extension QUICConnection: Sendable {}
