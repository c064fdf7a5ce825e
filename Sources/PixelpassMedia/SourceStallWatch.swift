/// Decides when a capture source has stopped delivering frames. Some
/// sources fail silently: a PipeWire node that is removed leaves
/// pipewiresrc waiting forever, with no error and no end of stream.
///
/// Pure value: times are monotonic nanoseconds passed in by the caller.
struct SourceStallWatch: Sendable, Equatable {
    struct Limits: Sendable, Equatable {
        /// How long the source may take to deliver its first frame
        /// (PipeWire negotiates a format first).
        var firstFrame: UInt64
        /// The longest gap between frames once they flow. pipewiresrc's
        /// keepalive and ximagesrc's own pacing send a frame every interval
        /// even when nothing on screen changes, so a long gap is a failure.
        var gap: UInt64

        static func forFrameRate(_ fps: Int) -> Limits {
            let frame = 1_000_000_000 / UInt64(max(1, fps))
            return Limits(firstFrame: 10_000_000_000, gap: max(3_000_000_000, 5 * frame))
        }
    }

    enum Verdict: Sendable, Equatable {
        case noFirstFrame(seconds: Int)
        case stopped(seconds: Int)
    }

    let limits: Limits
    let started: UInt64

    init(limits: Limits, started: UInt64) {
        self.limits = limits
        self.started = started
    }

    /// `lastFrame` is when the source last delivered a frame, nil if never.
    func check(lastFrame: UInt64?, now: UInt64) -> Verdict? {
        guard let lastFrame else {
            let waited = now &- started
            return now > started && waited > limits.firstFrame ? .noFirstFrame(seconds: Int(waited / 1_000_000_000)) : nil
        }
        let gap = now > lastFrame ? now - lastFrame : 0
        return gap > limits.gap ? .stopped(seconds: Int(gap / 1_000_000_000)) : nil
    }
}
