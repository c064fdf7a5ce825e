/// Keeps frames of a new size away from elements that still expect the
/// old one.
///
/// When a shared window is resized the compositor renegotiates its
/// PipeWire stream on the same node, but pipewiresrc 0.3.65 keeps its
/// first caps and pushes the new, differently sized buffers under them:
/// videoscale then reads a small buffer as a big frame (a crash when the
/// window shrinks). The guard notices a buffer whose size differs from
/// the frames since the last caps, drops it, and asks pipewiresrc to
/// negotiate again (`gst_pad_mark_reconfigure`), which brings caps that
/// match. Empty buffers (seen once while it reconnects) are dropped too.
struct FrameSizeGuard: Sendable, Equatable {
    enum Verdict: Equatable {
        case pass
        case drop
        /// Drop, and mark the pad for renegotiation.
        case dropAndRenegotiate
    }

    /// Ask again after this many mismatched frames with no new caps, in
    /// case a request got lost in a renegotiation already under way.
    static let retryEvery = 30

    private(set) var frameSize: Int?
    private var mismatched = 0

    /// New caps downstream: the next frame's size is the one to expect.
    mutating func capsChanged() {
        frameSize = nil
        mismatched = 0
    }

    mutating func frame(size: Int) -> Verdict {
        guard size > 0 else { return .drop }
        guard let expected = frameSize else {
            frameSize = size
            return .pass
        }
        if size == expected {
            mismatched = 0
            return .pass
        }
        defer { mismatched += 1 }
        return mismatched % Self.retryEvery == 0 ? .dropAndRenegotiate : .drop
    }
}
