internal import CNghttp3
import PixelpassBytes

/// The queue behind one response (or request) body: chunks waiting to be
/// handed to nghttp3, and chunks handed out but not yet acknowledged by the
/// peer (their memory must stay put until then).
struct OutgoingBody {
    private var chunks: [SharedBytes] = []
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

    var bufferedBytes: Int { unsentBytes + unackedBytes }
    var hasUnsentData: Bool { nextToHandOut < chunks.count }

    mutating func append(_ chunk: SharedBytes) {
        precondition(!finished, "append after finish")
        guard chunk.count > 0 else { return }
        chunks.append(chunk)
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

    /// Drops every chunk not yet handed out (a lagging viewer skipping ahead).
    /// Returns how many bytes were dropped.
    @discardableResult
    mutating func dropUnsent() -> Int {
        let dropped = unsentBytes
        chunks.removeSubrange(nextToHandOut...)
        unsentBytes = 0
        return dropped
    }

    private mutating func compactIfWorthwhile() {
        if head > 64 && head * 2 > chunks.count {
            chunks.removeFirst(head)
            nextToHandOut -= head
            head = 0
        }
    }
}
