#if canImport(Glibc)
import Glibc
#endif

/// The stream operations a QUIC connection offers the application protocol
/// on top of it (HTTP/3). This is all HTTP/3 knows of QUIC: it never sees
/// ngtcp2. Stream data is pulled, not pushed: the connection asks its
/// `QUICApplication` for the next bytes when it builds packets, so response
/// bodies go from their buffers into packets without an extra copy.
protocol QUICStreams: AnyObject {
    func openBidirectionalStream() throws(QUICError) -> Int64
    func openUnidirectionalStream() throws(QUICError) -> Int64
    /// There is stream data to pull: build packets soon.
    func wantsToWrite()
    /// Aborts both directions of a stream with an application error code.
    func resetStream(_ stream: Int64, code: UInt64)
    /// Stops sending on a stream (RESET_STREAM).
    func shutDownStreamWrite(_ stream: Int64, code: UInt64)
    /// Asks the peer to stop sending on a stream (STOP_SENDING).
    func shutDownStreamRead(_ stream: Int64, code: UInt64)
    /// The application consumed `count` received bytes of `stream`: flow
    /// control may let the peer send that much more (see `ReceiveCredit`).
    func consumed(_ count: Int, on stream: Int64)
    /// Withholds the stream's credit until `releaseCredit` (a reader that
    /// cannot keep up slows the sender instead of buffering without bound).
    func holdCredit(on stream: Int64)
    func releaseCredit(on stream: Int64)
}

/// One piece of stream data handed to QUIC: the same layout as ngtcp2's and
/// nghttp3's vectors (base pointer, length), so neither side converts.
typealias StreamDataVector = iovec

/// The next stream data the application has for QUIC.
struct PendingStreamData {
    /// -1 when there is no stream data, only frames of QUIC's own.
    var stream: Int64
    var fin: Bool
    /// How many vectors were filled.
    var count: Int

    static let none = PendingStreamData(stream: -1, fin: false, count: 0)
}

/// What a QUIC connection tells the application protocol on top of it.
/// Called synchronously from inside the connection's `handle…` and
/// `pollTransmit` calls (received bytes are only valid during the call: they
/// point into the datagram being decrypted). A thrown `QUICApplicationError`
/// closes the connection with its code.
protocol QUICApplication: AnyObject {
    /// 1-RTT keys are ready: streams may be opened now.
    func streamsReady() throws
    /// Received stream bytes; returns how many count as consumed at once
    /// (framing); the rest is reported later through `QUICStreams.consumed`.
    func receive(_ data: UnsafeRawBufferPointer, on stream: Int64, fin: Bool) throws -> Int
    /// The peer acknowledged `count` more bytes sent on `stream`.
    func acknowledged(_ count: Int, on stream: Int64) throws
    func streamClosed(_ stream: Int64, applicationError code: UInt64?) throws
    /// The peer reset the stream or asked us to stop sending on it.
    func peerAbandoned(_ stream: Int64)
    /// The peer raised our stream's flow-control limit.
    func streamUnblocked(_ stream: Int64)
    /// The peer may now open this many bidirectional streams in total.
    func peerMayOpenStreams(_ count: UInt64)
    /// Fills `vectors` with the next stream data to send.
    func nextStreamData(into vectors: UnsafeMutablePointer<StreamDataVector>, capacity: Int) throws -> PendingStreamData
    /// QUIC took `count` bytes of the data last handed out.
    func sent(_ count: Int, on stream: Int64) throws
    /// The stream cannot take more data now (flow control).
    func streamBlocked(_ stream: Int64)
    /// The stream's sending side is shut; drop what is queued for it.
    func streamWriteShut(_ stream: Int64)
    /// The whole connection ended.
    func connectionClosed(_ reason: QUICCloseReason)
    /// The code to close with when this layer fails in a way it did not name.
    var internalErrorCode: UInt64 { get }
}

/// An application-protocol failure that closes the connection with `code`.
protocol QUICApplicationError: Error {
    var applicationCode: UInt64 { get }
}
