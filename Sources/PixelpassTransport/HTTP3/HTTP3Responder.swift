import PixelpassBytes

/// The server side of one request: what was asked, and the response body
/// queue. All calls happen on the endpoint's event loop.
public final class HTTP3Responder {
    public let streamID: Int64
    public internal(set) var request = HTTP3RequestHead()
    public let peer: HTTP3Peer
    weak var session: HTTP3Session?
    var body = OutgoingBody()
    private var responded = false
    public private(set) var isClosed = false
    /// Called once when the stream ends for any reason (HTTP/3 error code;
    /// 0x100 is a normal end).
    public var onClose: ((UInt64) -> Void)?
    /// Called after the peer acknowledged body bytes, for producers that
    /// keep a bounded amount queued (see `bufferedBytes`).
    public var onAcknowledged: (() -> Void)?

    init(streamID: Int64, session: HTTP3Session, peer: HTTP3Peer) {
        self.streamID = streamID
        self.session = session
        self.peer = peer
    }

    /// A complete response with a small body.
    public func respond(status: Int, headers: [(String, String)] = [], body bytes: [UInt8]) {
        guard !responded, !isClosed, let session else { return }
        responded = true
        if !bytes.isEmpty { body.append(SharedBytes(bytes)) }
        body.finish()
        do {
            try session.submitResponse(self, status: status,
                                       headers: headers + [("content-length", String(bytes.count))],
                                       hasBody: !bytes.isEmpty)
        } catch {
            cancel(code: HTTP3ErrorCode.internalError)
        }
    }

    /// Starts an open-ended response; feed it with `write` and end it with `finish`.
    public func startStreaming(status: Int, headers: [(String, String)] = []) {
        guard !responded, !isClosed, let session else { return }
        responded = true
        do {
            try session.submitResponse(self, status: status, headers: headers, hasBody: true)
        } catch {
            cancel(code: HTTP3ErrorCode.internalError)
        }
    }

    /// `cutPoint`: false for a chunk that continues a unit (a frame) begun
    /// in an earlier chunk; `dropUnsent` never cuts in front of it.
    /// Sends this response after less urgent ones (RFC 9218 urgency 0–7,
    /// default 3). An endless body at a higher urgency number lets small
    /// responses on the same connection pass it instead of waiting behind it.
    public func setPriority(urgency: UInt32, incremental: Bool) {
        guard !isClosed, let session else { return }
        session.setPriority(streamID, urgency: min(urgency, 7), incremental: incremental)
    }

    public func write(_ chunk: SharedBytes, cutPoint: Bool = true) {
        guard responded, !isClosed, !body.finished, let session else { return }
        let wasIdle = !body.hasUnsentData
        body.append(chunk, cutPoint: cutPoint)
        if wasIdle { session.resume(streamID) }
    }

    /// Ends the body normally (FIN after the queued bytes).
    public func finish() {
        guard responded, !isClosed, !body.finished, let session else { return }
        body.finish()
        session.resume(streamID)
    }

    /// Resets the stream with an HTTP/3 error code.
    public func cancel(code: UInt64 = HTTP3ErrorCode.requestCancelled) {
        guard !isClosed, let session else { return }
        session.cancel(streamID, code: code)
    }

    /// Bytes queued or in flight: how far this receiver is behind.
    public var bufferedBytes: Int { body.bufferedBytes }
    /// Bytes queued and not yet handed to QUIC.
    public var unsentBytes: Int { body.unsentBytes }
    /// Body bytes the peer acknowledged so far.
    public var acknowledgedBytes: Int { body.acknowledgedBytes }

    /// Drops queued bytes that were not handed to QUIC yet, from the first
    /// cut point on (see `write(_:cutPoint:)`).
    @discardableResult
    public func dropUnsent() -> Int { body.dropUnsent() }

    func didAcknowledge(_ count: Int) {
        body.acknowledge(count)
        onAcknowledged?()
    }

    func didClose(applicationError code: UInt64) {
        guard !isClosed else { return }
        isClosed = true
        let callback = onClose
        onClose = nil
        onAcknowledged = nil
        callback?(code)
    }
}
