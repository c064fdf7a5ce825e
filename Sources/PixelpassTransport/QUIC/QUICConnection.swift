import CNgtcp2
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

    public init() {}
}

/// What a `QUICConnection` needs from the I/O shell around it.
protocol QUICConnectionOwner: AnyObject {
    /// Monotonic time in nanoseconds, for calls that start outside a packet event.
    var now: UInt64 { get }
    /// Sends one datagram, or with `segmentSize` several back-to-back
    /// datagrams of that size (the last may be shorter).
    func send(_ packets: UnsafeRawBufferPointer, to address: SocketAddress, segmentSize: Int?, from connection: QUICConnection)
    func connection(_ connection: QUICConnection, issued id: ConnectionID)
    func connection(_ connection: QUICConnection, retired id: ConnectionID)
    /// Application data is waiting: write soon (coalesced by the owner).
    func connectionNeedsWrite(_ connection: QUICConnection)
    func connectionHandshakeCompleted(_ connection: QUICConnection)
    func connection(_ connection: QUICConnection, closedWith reason: QUICCloseReason)
}

/// One QUIC connection: the single owner of an `ngtcp2_conn`, its GnuTLS
/// session and the HTTP/3 session on top. It does no I/O and reads no clock:
/// datagrams and timestamps come in, datagrams go out through the owner.
final class QUICConnection {
    enum Role {
        case server
        case client(pinnedFingerprint: [UInt8])
    }

    private(set) var conn: OpaquePointer!
    private(set) var tls: TLSSession!
    private(set) var http3: HTTP3Session?
    unowned let owner: QUICConnectionOwner
    let isServer: Bool
    let settings: QUICSettings

    let localAddress: SocketAddress
    /// The address packets currently go to (follows the peer's migration).
    private(set) var remoteAddress: SocketAddress
    private var remoteSockaddr: [UInt8]
    /// SHA-256 of the peer's certificate, known after the handshake.
    private(set) var peerFingerprint: [UInt8]?
    private(set) var closeReason: QUICCloseReason?
    var isClosed: Bool { closeReason != nil }
    /// Connection ids the owner routes to us.
    private(set) var routedIDs: Set<ConnectionID> = []
    /// Set by whoever uses the HTTP/3 layer (server or client façade).
    weak var http3Delegate: HTTP3SessionDelegate?
    /// The application's handle on this connection (see `peer`).
    var ownerPeer: HTTP3Peer?

    // Stable heap storage ngtcp2/GnuTLS keep pointers to.
    private let connRef: UnsafeMutablePointer<ngtcp2_crypto_conn_ref>
    private let readPath: UnsafeMutablePointer<ngtcp2_path_storage>
    private let writePath: UnsafeMutablePointer<ngtcp2_path_storage>
    private let txBuffer: UnsafeMutableRawBufferPointer
    private var vecs: UnsafeMutablePointer<ngtcp2_vec>
    private static let maxVecs = 16

    /// Common set-up: stable storage, then the TLS session pointing at it.
    /// The role-specific initialisers create the ngtcp2_conn afterwards.
    private init(role: TLSSession.Role, local: SocketAddress, remote: SocketAddress, identity: TLSIdentity,
                 settings: QUICSettings, owner: QUICConnectionOwner) throws {
        self.owner = owner
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

    /// Client side: starts a handshake towards `remote`.
    convenience init(clientTo remote: SocketAddress, local: SocketAddress, identity: TLSIdentity,
                     pinnedFingerprint: [UInt8], settings: QUICSettings, now: UInt64,
                     owner: QUICConnectionOwner) throws {
        try self.init(role: .client(pinnedFingerprint: pinnedFingerprint), local: local, remote: remote,
                      identity: identity, settings: settings, owner: owner)
        var dcid = ConnectionID.random(length: 18).ngtcp2
        let scid = ConnectionID.random()
        var params = makeTransportParameters()
        try createConnection(scid: scid, params: &params, now: now) { connection, path, callbacks, ngSettings, params, scidPointer, userData in
            pp_ngtcp2_conn_client_new(&connection, &dcid, scidPointer, path, quicVersion1,
                                      callbacks, ngSettings, params, userData)
        }
    }

    /// Server side: accepts a client's first Initial packet (already checked
    /// with `ngtcp2_accept`), then `receive` must be called with that packet.
    convenience init(serverFor header: ngtcp2_pkt_hd, local: SocketAddress, remote: SocketAddress,
                     identity: TLSIdentity, settings: QUICSettings, now: UInt64,
                     owner: QUICConnectionOwner) throws {
        try self.init(role: .server, local: local, remote: remote, identity: identity,
                      settings: settings, owner: owner)
        var clientSCID = header.scid
        var params = makeTransportParameters()
        params.original_dcid = header.dcid
        params.stateless_reset_token_present = 1
        withUnsafeMutableBytes(of: &params.stateless_reset_token) { token in
            SecureRandom.fill(token.baseAddress?.assumingMemoryBound(to: UInt8.self), token.count)
        }
        try createConnection(scid: ConnectionID.random(), params: &params, now: now) { connection, path, callbacks, ngSettings, params, scidPointer, userData in
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
            throw QUICError.library(isServer ? "ngtcp2_conn_server_new" : "ngtcp2_conn_client_new", rv)
        }
        conn = newConn
        ngtcp2_conn_set_tls_native_handle(conn, UnsafeMutableRawPointer(tls.session))
        ngtcp2_conn_set_keep_alive_timeout(conn, settings.keepAliveInterval)
        register(scid)
    }

    deinit {
        // The HTTP/3 session points into this connection: free it first.
        http3 = nil
        if let conn { ngtcp2_conn_del(conn) }
        tls = nil
        connRef.deallocate()
        readPath.deallocate()
        writePath.deallocate()
        txBuffer.deallocate()
        vecs.deallocate()
    }

    private static func allocateStorage() -> (UnsafeMutablePointer<ngtcp2_crypto_conn_ref>,
                                               UnsafeMutablePointer<ngtcp2_path_storage>,
                                               UnsafeMutablePointer<ngtcp2_path_storage>,
                                               UnsafeMutableRawBufferPointer,
                                               UnsafeMutablePointer<ngtcp2_vec>) {
        let connRef = UnsafeMutablePointer<ngtcp2_crypto_conn_ref>.allocate(capacity: 1)
        connRef.initialize(to: ngtcp2_crypto_conn_ref(get_conn: quicGetConn, user_data: nil))
        let readPath = UnsafeMutablePointer<ngtcp2_path_storage>.allocate(capacity: 1)
        ngtcp2_path_storage_zero(readPath)
        let writePath = UnsafeMutablePointer<ngtcp2_path_storage>.allocate(capacity: 1)
        ngtcp2_path_storage_zero(writePath)
        let tx = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 16)
        let vecs = UnsafeMutablePointer<ngtcp2_vec>.allocate(capacity: maxVecs)
        return (connRef, readPath, writePath, tx, vecs)
    }

    private func makeSettings(now: UInt64) -> ngtcp2_settings {
        var s = ngtcp2_settings()
        pp_ngtcp2_settings_default(&s)
        s.initial_ts = now
        s.handshake_timeout = settings.handshakeTimeout
        s.max_window = settings.maxConnectionWindow
        s.max_stream_window = settings.maxStreamWindow
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
        owner.connection(self, issued: id)
    }

    // MARK: - Events in

    /// Feeds one received datagram; then call `write(now:)`.
    func receive(_ datagram: UnsafeRawBufferPointer, from remote: SocketAddress, now: UInt64) {
        guard !isClosed, let base = datagram.baseAddress else { return }
        let local = migratedPath.map { $0.remote == remote ? $0.local : localAddress } ?? localAddress
        _ = fillPath(readPath, local: local, remote: remote)
        let rv = pp_ngtcp2_conn_read_pkt(conn, &readPath.pointee.path,
                                         base.assumingMemoryBound(to: UInt8.self), datagram.count, now)
        if rv != 0 { handleLibraryError(rv, now: now) }
    }

    /// The earliest time `handleExpiry` must run (UInt64.max: never).
    var expiry: UInt64 { isClosed ? .max : ngtcp2_conn_get_expiry(conn) }

    func handleExpiry(now: UInt64) {
        guard !isClosed else { return }
        let rv = ngtcp2_conn_handle_expiry(conn, now)
        if rv != 0 {
            handleLibraryError(rv, now: now)
            return
        }
        write(now: now)
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
        write(now: now)
        return true
    }

    /// Closes with an application error code (HTTP/3 codes) and tells the peer.
    func close(applicationError code: UInt64, now: UInt64) {
        guard !isClosed else { return }
        var ccerr = ngtcp2_connection_close_error()
        ngtcp2_connection_close_error_default(&ccerr)
        ngtcp2_connection_close_error_set_application_error(&ccerr, code, nil, 0)
        sendConnectionClose(&ccerr, now: now)
        finish(.local)
    }

    // MARK: - Events out

    /// Writes every packet ngtcp2 is ready to send now (bounded by the send
    /// quantum; pacing comes back through `expiry`). Consecutive packets of
    /// one size to one address leave as a single GSO batch.
    func write(now: UInt64) {
        guard !isClosed else { return }
        if ngtcp2_conn_is_in_closing_period(conn) != 0 || ngtcp2_conn_is_in_draining_period(conn) != 0 {
            return
        }
        let maxPayload = ngtcp2_conn_get_max_tx_udp_payload_size(conn)
        let maxPackets = max(1, min(64, ngtcp2_conn_get_send_quantum(conn) / max(maxPayload, 1)))
        var packets = 0
        let buffer = txBuffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var batch = SendBatch()
        ngtcp2_path_storage_zero(writePath)

        while true {
            if txBuffer.count - batch.length < maxPayload { flush(&batch) }
            var streamID: Int64 = -1
            var fin = false
            var vecCount = 0
            if let http3, ngtcp2_conn_get_max_data_left(conn) > 0 {
                do {
                    (streamID, fin, vecCount) = try http3.nextStreamData(into: vecs, capacity: QUICConnection.maxVecs)
                } catch let error as HTTP3Error {
                    flush(&batch)
                    close(applicationError: error.applicationCode, now: now)
                    return
                } catch {
                    flush(&batch)
                    close(applicationError: HTTP3ErrorCode.internalError, now: now)
                    return
                }
            }
            var flags = UInt32(NGTCP2_WRITE_STREAM_FLAG_MORE)
            if fin { flags |= UInt32(NGTCP2_WRITE_STREAM_FLAG_FIN) }
            var accepted: ngtcp2_ssize = -1
            let n = pp_ngtcp2_conn_writev_stream(conn, &writePath.pointee.path, buffer + batch.length, maxPayload,
                                                 &accepted, flags, streamID, vecs, vecCount, now)
            if n < 0 {
                switch Int32(n) {
                case NGTCP2_ERR_STREAM_DATA_BLOCKED:
                    http3?.blockStream(streamID)
                    continue
                case NGTCP2_ERR_STREAM_SHUT_WR:
                    http3?.shutdownStreamWrite(streamID)
                    continue
                case NGTCP2_ERR_WRITE_MORE:
                    http3?.addWriteOffset(streamID, UInt64(accepted))
                    continue
                default:
                    flush(&batch)
                    handleLibraryError(Int32(n), now: now)
                    return
                }
            }
            if accepted >= 0 { http3?.addWriteOffset(streamID, UInt64(accepted)) }
            if n == 0 { break }
            add(packetOfLength: Int(n), to: &batch)
            packets += 1
            if packets >= maxPackets { break }
        }
        flush(&batch)
        ngtcp2_conn_update_pkt_tx_time(conn, now)
    }

    /// Packets written back to back in `txBuffer`, all to one address and
    /// all of `segmentSize` bytes except possibly the last.
    private struct SendBatch {
        var length = 0
        var segmentSize = 0
        var segments = 0
        var address: SocketAddress?
        /// A shorter packet ends a batch: only the last segment may be short.
        var closed = false
    }

    private func add(packetOfLength n: Int, to batch: inout SendBatch) {
        let destination = address(of: writePath.pointee.path.remote)
        if batch.segments > 0 && (batch.closed || n > batch.segmentSize || destination != batch.address) {
            // The new packet cannot join: send the batch, then move the
            // packet to the front of the buffer.
            let packetStart = batch.length
            flush(&batch)
            let base = txBuffer.baseAddress!
            base.copyMemory(from: base + packetStart, byteCount: n)
        }
        if batch.segments == 0 {
            batch.segmentSize = n
            batch.address = destination
        }
        batch.length += n
        batch.segments += 1
        if n < batch.segmentSize { batch.closed = true }
    }

    private func flush(_ batch: inout SendBatch) {
        if batch.segments > 0, let address = batch.address {
            owner.send(UnsafeRawBufferPointer(start: txBuffer.baseAddress, count: batch.length), to: address,
                       segmentSize: batch.segments > 1 ? batch.segmentSize : nil, from: self)
        }
        batch = SendBatch()
    }

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

    private func sendConnectionClose(_ ccerr: inout ngtcp2_connection_close_error, now: UInt64) {
        guard ngtcp2_conn_is_in_closing_period(conn) == 0,
              ngtcp2_conn_is_in_draining_period(conn) == 0 else { return }
        ngtcp2_path_storage_zero(writePath)
        let buffer = txBuffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let n = pp_ngtcp2_conn_write_connection_close(conn, &writePath.pointee.path, buffer,
                                                      ngtcp2_conn_get_max_tx_udp_payload_size(conn), &ccerr, now)
        if n > 0 {
            owner.send(UnsafeRawBufferPointer(start: buffer, count: Int(n)),
                       to: address(of: writePath.pointee.path.remote), segmentSize: nil, from: self)
        }
    }

    /// Maps an ngtcp2 error to a close reason; tells the peer when it is our fault.
    private func handleLibraryError(_ rv: Int32, now: UInt64) {
        switch rv {
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
            sendConnectionClose(&ccerr, now: now)
            if tls.pinMismatch {
                finish(.identityMismatch)
            } else {
                finish(.failed(String(cString: ngtcp2_strerror(rv))))
            }
        }
    }

    /// An HTTP/3 failure inside a callback, reported as the close code.
    var pendingApplicationError: UInt64?

    private func finish(_ reason: QUICCloseReason) {
        guard closeReason == nil else { return }
        closeReason = reason
        http3?.connectionClosed(reason)
        for id in routedIDs { owner.connection(self, retired: id) }
        routedIDs.removeAll()
        owner.connection(self, closedWith: reason)
    }

    // MARK: - Called from the ngtcp2 callback thunks

    func didCompleteHandshake() {
        peerFingerprint = tls.peerFingerprint()
        owner.connectionHandshakeCompleted(self)
    }

    func didInstallApplicationKey() throws {
        guard http3 == nil else { return }
        http3 = try HTTP3Session(connection: self, server: isServer)
    }

    func issueConnectionID(into cid: UnsafeMutablePointer<ngtcp2_cid>, token: UnsafeMutablePointer<UInt8>?, length: Int) {
        let id = ConnectionID.random(length: length)
        cid.pointee = id.ngtcp2
        SecureRandom.fill(token, Int(NGTCP2_STATELESS_RESET_TOKENLEN))
        register(id)
    }

    func retireConnectionID(_ id: ConnectionID) {
        if routedIDs.remove(id) != nil { owner.connection(self, retired: id) }
    }

    /// Gives flow-control credit back once the application consumed bytes.
    func extendReceiveWindow(stream: Int64, by count: UInt64) {
        extendStreamWindow(stream, by: count)
        extendConnectionWindow(by: count)
    }

    /// Stream-level credit only: a paused stream withholds this, so the peer
    /// stops sending on it...
    func extendStreamWindow(_ stream: Int64, by count: UInt64) {
        guard !isClosed, count > 0 else { return }
        ngtcp2_conn_extend_max_stream_offset(conn, stream, count)
    }

    /// ...while connection-level credit is returned at once, so one stalled
    /// stream cannot starve the others.
    func extendConnectionWindow(by count: UInt64) {
        guard !isClosed, count > 0 else { return }
        ngtcp2_conn_extend_max_offset(conn, count)
    }

    func requestWrite() {
        guard !isClosed else { return }
        owner.connectionNeedsWrite(self)
    }

    /// Round-trip estimate and bytes in flight, for status displays and logs.
    var statistics: (smoothedRTT: UInt64, congestionWindow: UInt64, bytesInFlight: UInt64) {
        var stat = ngtcp2_conn_stat()
        pp_ngtcp2_conn_get_conn_stat(conn, &stat)
        return (stat.smoothed_rtt, stat.cwnd, stat.bytes_in_flight)
    }

    static func from(_ userData: UnsafeMutableRawPointer?) -> QUICConnection {
        Unmanaged<QUICConnection>.fromOpaque(userData!).takeUnretainedValue()
    }
}

/// ngtcp2_crypto_conn_ref.get_conn: the connection behind a TLS session.
private func quicGetConn(_ ref: UnsafeMutablePointer<ngtcp2_crypto_conn_ref>?) -> OpaquePointer? {
    QUICConnection.from(ref?.pointee.user_data).conn
}
