import PixelpassBytes
import PixelpassTransport

/// What the broadcaster needs from one viewer's stream: an HTTP/3 response
/// in the host, a recording double in tests.
protocol BroadcastViewer: AnyObject {
    /// The viewer's short id, for logs and stats.
    var viewerID: String { get }
    /// Called when the viewer acknowledged data: it is still reading.
    var onAcknowledged: (() -> Void)? { get set }
    /// Bytes queued or in flight.
    var bufferedBytes: Int { get }
    /// Bytes queued and not yet sent.
    var unsentBytes: Int { get }
    /// Bytes the viewer acknowledged since its stream started.
    var acknowledgedBytes: Int { get }
    /// The QUIC sender's view of the path (nil once closed).
    var pathStatistics: QUICPathStatistics? { get }
    /// `cutPoint`: the chunk starts a unit (a frame), so a later
    /// `dropUnsent` may drop from here on.
    func write(_ chunk: SharedBytes, cutPoint: Bool)
    /// Drops what is queued and not yet sent, from the first cut point on;
    /// returns how many bytes.
    func dropUnsent() -> Int
    /// Ends the stream with an HTTP/3 error code.
    func cancel(code: UInt64)
    /// Ends the stream cleanly.
    func finish()
}

extension HTTP3Responder: BroadcastViewer {
    var viewerID: String { peer.id }
    var pathStatistics: QUICPathStatistics? { peer.pathStatistics }
}
