internal import CNghttp3
import PixelpassBytes

/// The queue behind one response (or request) body: chunks waiting to be
/// handed to nghttp3, and chunks handed out but not yet acknowledged by the
/// peer (their memory must stay put until then).
struct OutgoingBody {
    private var chunks: [SharedBytes] = []
    /// Parallel to `chunks`: whether a chunk may begin the body after a cut
    /// (see `dropUnsent`).
    private var cutPoints: [Bool] = []
    /// chunks[head...] are live; earlier slots are acknowledged and dropped.
    private var head = 0
    /// chunks[head..<nextToHandOut] were given to nghttp3.
    private var nextToHandOut = 0
    /// Bytes of chunks[head] already acknowledged.
    private var ackedInHead = 0
    private(set) var finished = false
    /// Bytes queued and not yet handed to QUIC.
    private(set) var unsentBytes = 0
    /// Bytes handed to QUIC and not yet acknowledged.
    private(set) var unackedBytes = 0
    /// Bytes the peer acknowledged since the body started (never decreases).
    private(set) var acknowledgedBytes = 0

    var bufferedBytes: Int { unsentBytes + unackedBytes }
    var hasUnsentData: Bool { nextToHandOut < chunks.count }

    /// `cutPoint`: a skip may drop the body from this chunk on (it starts
    /// a whole unit, e.g. a frame); chunks that are not are only ever sent.
    mutating func append(_ chunk: SharedBytes, cutPoint: Bool = true) {
        precondition(!finished, "append after finish")
        guard chunk.count > 0 else { return }
        chunks.append(chunk)
        cutPoints.append(cutPoint)
        unsentBytes += chunk.count
    }

    mutating func finish() { finished = true }

    /// Fills nghttp3 vectors with the next chunks. Returns how many were
    /// filled and whether the body ends after them.
    mutating func handOut(into vecs: UnsafeMutablePointer<nghttp3_vec>, capacity: Int) -> (count: Int, eof: Bool) {
        var filled = 0
        while filled < capacity, nextToHandOut < chunks.count {
            let chunk = chunks[nextToHandOut]
            vecs[filled] = nghttp3_vec(base: UnsafeMutablePointer(mutating: chunk.baseAddress.assumingMemoryBound(to: UInt8.self)),
                                       len: chunk.count)
            unsentBytes -= chunk.count
            unackedBytes += chunk.count
            nextToHandOut += 1
            filled += 1
        }
        return (filled, finished && nextToHandOut == chunks.count)
    }

    /// The peer acknowledged `count` more body bytes: release what is done.
    mutating func acknowledge(_ count: Int) {
        var remaining = count
        unackedBytes -= count
        acknowledgedBytes += count
        while remaining > 0, head < nextToHandOut {
            let left = chunks[head].count - ackedInHead
            if remaining >= left {
                remaining -= left
                ackedInHead = 0
                head += 1
            } else {
                ackedInHead += remaining
                remaining = 0
            }
        }
        compactIfWorthwhile()
    }

    /// Drops the chunks not yet handed out from the first cut point on (a
    /// lagging viewer skipping ahead). The rest of a unit already partly
    /// handed out stays, so the peer never gets half a frame. Returns how
    /// many bytes were dropped.
    @discardableResult
    mutating func dropUnsent() -> Int {
        guard let cut = cutPoints[nextToHandOut...].firstIndex(of: true) else { return 0 }
        let dropped = chunks[cut...].reduce(0) { $0 + $1.count }
        chunks.removeSubrange(cut...)
        cutPoints.removeSubrange(cut...)
        unsentBytes -= dropped
        return dropped
    }

    private mutating func compactIfWorthwhile() {
        if head > 64 && head * 2 > chunks.count {
            chunks.removeFirst(head)
            cutPoints.removeFirst(head)
            nextToHandOut -= head
            head = 0
        }
    }
}
