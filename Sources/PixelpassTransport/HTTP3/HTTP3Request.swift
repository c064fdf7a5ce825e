/// How a client request ended.
public enum HTTP3RequestEnd: Sendable, Equatable {
    /// The server finished the body.
    case complete
    /// The stream was reset with this HTTP/3 error code.
    case reset(UInt64)
    /// The whole connection went away.
    case connectionClosed(QUICCloseReason)
}

/// The client side of one request. Body bytes are delivered as they arrive;
/// while paused, flow-control credit is withheld so the server slows down
/// instead of us buffering without bound.
public final class HTTP3Request {
    public let streamID: Int64
    weak var session: HTTP3Session?
    public internal(set) var response = HTTP3ResponseHead()
    public var onResponse: ((HTTP3ResponseHead) -> Void)?
    public var onData: ((UnsafeRawBufferPointer) -> Void)?
    public var onEnd: ((HTTP3RequestEnd) -> Void)?
    public private(set) var ended = false
    public private(set) var receivedBytes = 0

    init(streamID: Int64, session: HTTP3Session) {
        self.streamID = streamID
        self.session = session
    }

    /// Stop returning flow-control credit (the consumer is not keeping up).
    public func pause() { session?.streams.holdCredit(on: streamID) }

    public func resume() { session?.streams.releaseCredit(on: streamID) }

    public func cancel() {
        guard !ended, let session else { return }
        session.cancel(streamID, code: HTTP3ErrorCode.requestCancelled)
        deliverEnd(.reset(HTTP3ErrorCode.requestCancelled))
    }

    func deliverHead() { onResponse?(response) }

    func deliver(_ data: UnsafeRawBufferPointer) {
        receivedBytes += data.count
        onData?(data)
        session?.streams.consumed(data.count, on: streamID)
    }

    func deliverEnd(_ end: HTTP3RequestEnd) {
        guard !ended else { return }
        ended = true
        let callback = onEnd
        onEnd = nil
        onData = nil
        onResponse = nil
        callback?(end)
    }
}
