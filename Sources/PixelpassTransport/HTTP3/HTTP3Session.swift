internal import CNghttp3

/// Receives requests on the server side of an HTTP/3 session.
protocol HTTP3SessionDelegate: AnyObject {
    func session(_ session: HTTP3Session, didReceive request: HTTP3Responder)
}

/// One HTTP/3 session over one QUIC connection: the single owner of an
/// `nghttp3_conn`. It sits on `QUICStreams` and knows nothing of ngtcp2:
/// the connection delivers stream events to it (`QUICApplication`) and pulls
/// the bytes to send from it.
final class HTTP3Session: QUICApplication {
    private var h3: OpaquePointer!
    unowned let streams: QUICStreams
    let isServer: Bool
    /// The connection as the application sees it (address, RTT, close).
    let peer: HTTP3Peer
    weak var delegate: HTTP3SessionDelegate?
    private var responders: [Int64: HTTP3Responder] = [:]
    private var requests: [Int64: HTTP3Request] = [:]
    /// The control and QPACK streams are open (1-RTT keys arrived).
    private(set) var streamsAreBound = false

    init(streams: QUICStreams, server: Bool, peer: HTTP3Peer, maxClientStreams: UInt64) throws {
        self.streams = streams
        self.isServer = server
        self.peer = peer
        var callbacks = HTTP3Session.callbacks()
        var settings = nghttp3_settings()
        pp_nghttp3_settings_default(&settings)
        settings.qpack_max_dtable_capacity = 4096
        settings.qpack_blocked_streams = 100
        var conn: OpaquePointer?
        // user_data is this session, unretained: it owns the nghttp3_conn.
        let me = Unmanaged.passUnretained(self).toOpaque()
        let rv = server
            ? pp_nghttp3_conn_server_new(&conn, &callbacks, &settings, me)
            : pp_nghttp3_conn_client_new(&conn, &callbacks, &settings, me)
        try HTTP3Error.check("nghttp3_conn_new", rv)
        h3 = conn
        if server {
            nghttp3_conn_set_max_client_streams_bidi(h3, maxClientStreams)
        }
    }

    deinit {
        if let h3 { nghttp3_conn_del(h3) }
    }

    // MARK: - QUICApplication

    /// HTTP/3 needs a control stream and two QPACK streams from each side.
    func streamsReady() throws {
        let control = try streams.openUnidirectionalStream()
        let encoder = try streams.openUnidirectionalStream()
        let decoder = try streams.openUnidirectionalStream()
        try HTTP3Error.check("nghttp3_conn_bind_control_stream", nghttp3_conn_bind_control_stream(h3, control))
        try HTTP3Error.check("nghttp3_conn_bind_qpack_streams", nghttp3_conn_bind_qpack_streams(h3, encoder, decoder))
        streamsAreBound = true
    }

    func receive(_ data: UnsafeRawBufferPointer, on stream: Int64, fin: Bool) throws -> Int {
        let consumed = nghttp3_conn_read_stream(h3, stream, data.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                                data.count, fin ? 1 : 0)
        if consumed < 0 { throw HTTP3Error("nghttp3_conn_read_stream", Int32(consumed)) }
        return Int(consumed)
    }

    func acknowledged(_ count: Int, on stream: Int64) throws {
        try HTTP3Error.check("nghttp3_conn_add_ack_offset", nghttp3_conn_add_ack_offset(h3, stream, UInt64(count)))
    }

    func streamClosed(_ stream: Int64, applicationError code: UInt64?) throws {
        let code = code ?? HTTP3ErrorCode.noError
        let rv = nghttp3_conn_close_stream(h3, stream, code)
        // nghttp3 reports stream_close for streams it knows; make sure ours
        // are released even if it did not.
        finishStream(stream, applicationError: code)
        if rv != 0 && rv != NGHTTP3_ERR_STREAM_NOT_FOUND { throw HTTP3Error("nghttp3_conn_close_stream", rv) }
    }

    func peerAbandoned(_ stream: Int64) {
        _ = nghttp3_conn_shutdown_stream_read(h3, stream)
    }

    func streamUnblocked(_ stream: Int64) {
        _ = nghttp3_conn_unblock_stream(h3, stream)
    }

    func peerMayOpenStreams(_ count: UInt64) {
        nghttp3_conn_set_max_client_streams_bidi(h3, count)
    }

    func nextStreamData(into vectors: UnsafeMutablePointer<StreamDataVector>, capacity: Int) throws -> PendingStreamData {
        var stream: Int64 = -1
        var fin: Int32 = 0
        // iovec and nghttp3_vec have one layout: base pointer, length.
        let count = vectors.withMemoryRebound(to: nghttp3_vec.self, capacity: capacity) {
            nghttp3_conn_writev_stream(h3, &stream, &fin, $0, capacity)
        }
        if count < 0 { throw HTTP3Error("nghttp3_conn_writev_stream", Int32(count)) }
        return PendingStreamData(stream: stream, fin: fin != 0, count: Int(count))
    }

    func sent(_ count: Int, on stream: Int64) throws {
        try HTTP3Error.check("nghttp3_conn_add_write_offset", nghttp3_conn_add_write_offset(h3, stream, count))
    }

    func streamBlocked(_ stream: Int64) { nghttp3_conn_block_stream(h3, stream) }

    func streamWriteShut(_ stream: Int64) { nghttp3_conn_shutdown_stream_write(h3, stream) }

    func connectionClosed(_ reason: QUICCloseReason) {
        let code = HTTP3ErrorCode.noError
        for id in Array(responders.keys) + Array(requests.keys) {
            finishStream(id, applicationError: code, connectionReason: reason)
        }
    }

    var internalErrorCode: UInt64 { HTTP3ErrorCode.internalError }

    // MARK: - Server API (used by HTTP3Responder)

    func submitResponse(_ responder: HTTP3Responder, status: Int, headers: [(String, String)], hasBody: Bool) throws {
        var fields = [(":status", String(status))] + headers
        try withHeaderFields(&fields) { nva, count in
            if hasBody {
                var reader = nghttp3_data_reader(read_data: http3ReadResponseBody)
                return nghttp3_conn_submit_response(h3, responder.streamID, nva, count, &reader)
            }
            return nghttp3_conn_submit_response(h3, responder.streamID, nva, count, nil)
        }
        streams.wantsToWrite()
    }

    /// RFC 9218 priority of a stream we serve: lower urgency goes first;
    /// incremental streams of one urgency share the link.
    func setPriority(_ stream: Int64, urgency: UInt32, incremental: Bool) {
        var priority = nghttp3_pri(urgency: urgency, inc: incremental ? 1 : 0)
        _ = nghttp3_conn_set_stream_priority(h3, stream, &priority)
    }

    func resume(_ stream: Int64) {
        _ = nghttp3_conn_resume_stream(h3, stream)
        streams.wantsToWrite()
    }

    /// Aborts a stream in both directions with an HTTP/3 error code.
    func cancel(_ stream: Int64, code: UInt64) {
        streams.resetStream(stream, code: code)
    }

    // MARK: - Client API (used by HTTP3Client)

    func submitRequest(method: String, authority: String, path: String,
                       headers: [(String, String)]) throws -> HTTP3Request {
        let stream = try streams.openBidirectionalStream()
        var fields = [(":method", method), (":scheme", "https"), (":authority", authority), (":path", path)] + headers
        try withHeaderFields(&fields) { nva, count in
            nghttp3_conn_submit_request(h3, stream, nva, count, nil, nil)
        }
        let request = HTTP3Request(streamID: stream, session: self)
        requests[stream] = request
        streams.wantsToWrite()
        return request
    }

    // MARK: - nghttp3 events

    fileprivate func beginHeaders(_ stream: Int64) {
        if isServer, responders[stream] == nil {
            responders[stream] = HTTP3Responder(streamID: stream, session: self, peer: peer)
        }
    }

    fileprivate func header(_ stream: Int64, name: String, value: String) {
        if isServer {
            guard let responder = responders[stream] else { return }
            switch name {
            case ":method": responder.request.method = value
            case ":path": responder.request.path = value
            case ":authority": responder.request.authority = value
            default:
                if !name.hasPrefix(":") { responder.request.headers.append((name, value)) }
            }
        } else {
            guard let request = requests[stream] else { return }
            if name == ":status" {
                request.response.status = Int(value) ?? 0
            } else if !name.hasPrefix(":") {
                request.response.headers.append((name, value))
            }
        }
    }

    fileprivate func endHeaders(_ stream: Int64) {
        if isServer {
            guard let responder = responders[stream] else { return }
            delegate?.session(self, didReceive: responder)
        } else {
            requests[stream]?.deliverHead()
        }
    }

    fileprivate func receiveData(_ stream: Int64, _ data: UnsafeRawBufferPointer) {
        if let request = requests[stream] {
            request.deliver(data)
        } else {
            // Request bodies are not used; give the credit back at once.
            streams.consumed(data.count, on: stream)
        }
    }

    fileprivate func endStream(_ stream: Int64) {
        requests[stream]?.deliverEnd(.complete)
    }

    fileprivate func readBody(_ stream: Int64, into vecs: UnsafeMutablePointer<nghttp3_vec>?,
                              capacity: Int, flags: UnsafeMutablePointer<UInt32>?) -> Int {
        guard let responder = responders[stream], let vecs else { return Int(NGHTTP3_ERR_CALLBACK_FAILURE) }
        let (count, eof) = responder.body.handOut(into: vecs, capacity: capacity)
        if eof { flags?.pointee |= UInt32(NGHTTP3_DATA_FLAG_EOF) }
        if count == 0 && !eof { return Int(NGHTTP3_ERR_WOULDBLOCK) }
        return count
    }

    fileprivate func bodyAcknowledged(_ stream: Int64, _ count: UInt64) {
        responders[stream]?.didAcknowledge(Int(count))
    }

    /// Releases our stream object; idempotent.
    fileprivate func finishStream(_ stream: Int64, applicationError code: UInt64,
                                  connectionReason: QUICCloseReason? = nil) {
        if let responder = responders.removeValue(forKey: stream) {
            responder.didClose(applicationError: code)
        }
        if let request = requests.removeValue(forKey: stream) {
            if let connectionReason {
                request.deliverEnd(.connectionClosed(connectionReason))
            } else if code == HTTP3ErrorCode.noError {
                request.deliverEnd(.complete)
            } else {
                request.deliverEnd(.reset(code))
            }
        }
    }

    private func withHeaderFields(_ fields: inout [(String, String)],
                                  _ body: (UnsafePointer<nghttp3_nv>, Int) -> Int32) throws {
        // nghttp3 copies the fields during submit, so temporary storage is fine.
        let storage = fields.map { (Array($0.0.lowercased().utf8), Array($0.1.utf8)) }
        var nva: [nghttp3_nv] = []
        nva.reserveCapacity(storage.count)
        var pointers: [UnsafeMutablePointer<UInt8>] = []
        defer { pointers.forEach { $0.deallocate() } }
        for (name, value) in storage {
            let n = UnsafeMutablePointer<UInt8>.allocate(capacity: max(name.count, 1))
            n.initialize(from: name, count: name.count)
            let v = UnsafeMutablePointer<UInt8>.allocate(capacity: max(value.count, 1))
            v.initialize(from: value, count: value.count)
            pointers += [n, v]
            nva.append(nghttp3_nv(name: n, value: v, namelen: name.count, valuelen: value.count,
                                  flags: UInt8(NGHTTP3_NV_FLAG_NONE)))
        }
        let rv = nva.withUnsafeBufferPointer { body($0.baseAddress!, $0.count) }
        try HTTP3Error.check("nghttp3_conn_submit", rv)
    }

    static func from(_ userData: UnsafeMutableRawPointer?) -> HTTP3Session {
        Unmanaged<HTTP3Session>.fromOpaque(userData!).takeUnretainedValue()
    }

    /// C callbacks for nghttp3: capture-free thunks that recover the session
    /// from conn_user_data (unretained; the session owns the nghttp3_conn).
    private static func callbacks() -> nghttp3_callbacks {
        var cb = nghttp3_callbacks()
        cb.acked_stream_data = { _, stream, count, userData, _ in
            HTTP3Session.from(userData).bodyAcknowledged(stream, count)
            return 0
        }
        cb.stream_close = { _, stream, code, userData, _ in
            HTTP3Session.from(userData).finishStream(stream, applicationError: code)
            return 0
        }
        cb.recv_data = { _, stream, data, count, userData, _ in
            HTTP3Session.from(userData).receiveData(stream, UnsafeRawBufferPointer(start: data, count: count))
            return 0
        }
        cb.deferred_consume = { _, stream, consumed, userData, _ in
            HTTP3Session.from(userData).streams.consumed(consumed, on: stream)
            return 0
        }
        cb.begin_headers = { _, stream, userData, _ in
            HTTP3Session.from(userData).beginHeaders(stream)
            return 0
        }
        cb.recv_header = { _, stream, _, name, value, _, userData, _ in
            let n = nghttp3_rcbuf_get_buf(name), v = nghttp3_rcbuf_get_buf(value)
            HTTP3Session.from(userData).header(
                stream,
                name: String(decoding: UnsafeRawBufferPointer(start: n.base, count: n.len), as: UTF8.self),
                value: String(decoding: UnsafeRawBufferPointer(start: v.base, count: v.len), as: UTF8.self))
            return 0
        }
        cb.end_headers = { _, stream, _, userData, _ in
            HTTP3Session.from(userData).endHeaders(stream)
            return 0
        }
        cb.stop_sending = { _, stream, code, userData, _ in
            HTTP3Session.from(userData).streams.shutDownStreamRead(stream, code: code)
            return 0
        }
        cb.end_stream = { _, stream, userData, _ in
            HTTP3Session.from(userData).endStream(stream)
            return 0
        }
        cb.reset_stream = { _, stream, code, userData, _ in
            HTTP3Session.from(userData).streams.shutDownStreamWrite(stream, code: code)
            return 0
        }
        return cb
    }
}

/// nghttp3_data_reader.read_data for response bodies.
private func http3ReadResponseBody(_ conn: OpaquePointer?, _ stream: Int64,
                                   _ vecs: UnsafeMutablePointer<nghttp3_vec>?, _ capacity: Int,
                                   _ flags: UnsafeMutablePointer<UInt32>?,
                                   _ userData: UnsafeMutableRawPointer?,
                                   _ streamUserData: UnsafeMutableRawPointer?) -> nghttp3_ssize {
    HTTP3Session.from(userData).readBody(stream, into: vecs, capacity: capacity, flags: flags)
}

/// Lives on its endpoint's event loop.
@available(*, unavailable)
extension HTTP3Session: Sendable {}
