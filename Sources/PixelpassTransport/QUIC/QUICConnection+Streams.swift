internal import CNgtcp2

/// The stream interface HTTP/3 sees: thin translations to ngtcp2, with
/// receive credit decided by `ReceiveCredit`.
extension QUICConnection: QUICStreams {
    func openBidirectionalStream() throws(QUICError) -> Int64 {
        var stream: Int64 = -1
        let rv = ngtcp2_conn_open_bidi_stream(conn, &stream, nil)
        guard rv == 0 else { throw QUICError.ngtcp2("ngtcp2_conn_open_bidi_stream", rv) }
        return stream
    }

    func openUnidirectionalStream() throws(QUICError) -> Int64 {
        var stream: Int64 = -1
        let rv = ngtcp2_conn_open_uni_stream(conn, &stream, nil)
        guard rv == 0 else { throw QUICError.ngtcp2("ngtcp2_conn_open_uni_stream", rv) }
        return stream
    }

    func wantsToWrite() {
        guard !isClosed else { return }
        onWantsToWrite?()
    }

    func resetStream(_ stream: Int64, code: UInt64) {
        guard !isClosed else { return }
        _ = ngtcp2_conn_shutdown_stream(conn, stream, code)
        wantsToWrite()
    }

    func shutDownStreamWrite(_ stream: Int64, code: UInt64) {
        guard !isClosed else { return }
        _ = ngtcp2_conn_shutdown_stream_write(conn, stream, code)
    }

    func shutDownStreamRead(_ stream: Int64, code: UInt64) {
        guard !isClosed else { return }
        _ = ngtcp2_conn_shutdown_stream_read(conn, stream, code)
    }

    func consumed(_ count: Int, on stream: Int64) {
        extend(credit.consumed(count, on: stream), on: stream)
    }

    func holdCredit(on stream: Int64) {
        credit.hold(stream)
    }

    func releaseCredit(on stream: Int64) {
        let owed = credit.release(stream)
        guard owed > 0 else { return }
        extend(ReceiveCredit.Grant(stream: owed, connection: 0), on: stream)
        wantsToWrite()
    }

    private func extend(_ grant: ReceiveCredit.Grant, on stream: Int64) {
        guard !isClosed else { return }
        if grant.stream > 0 { ngtcp2_conn_extend_max_stream_offset(conn, stream, grant.stream) }
        if grant.connection > 0 { ngtcp2_conn_extend_max_offset(conn, grant.connection) }
    }
}

extension QUICConnection {
    /// A stream the peer opened has closed: it may open another. ngtcp2
    /// never raises the stream limit by itself, so without this a
    /// connection could make only `maxConcurrentRequests` requests in its
    /// whole life; with it, that many at once, for as long as it lives.
    func returnStreamCredit(for stream: Int64) {
        let peerInitiated = (stream & 0x1 == 0) == isServer
        let bidirectional = stream & 0x2 == 0
        guard peerInitiated, bidirectional, !isClosed else { return }
        ngtcp2_conn_extend_max_streams_bidi(conn, 1)
    }
}
