/// What the host has learnt about one viewer's link from its samples: the
/// rate it is taking data at, whether a queue is building toward it, and
/// the capacity measured the last time the link was the limit.
struct LinkEstimator: Sendable {
    /// A queue of this many seconds of stream waiting to be sent, or this
    /// much RTT above the path's minimum, means the link is full.
    static let queueLimit = 0.15
    static let delayLimit = 0.08
    /// A queue this long means it now, without waiting for a second sample.
    static let severeQueue = 0.6
    /// Acknowledged bytes per second over the last second.
    private var acknowledged = RateWindow()
    /// Bit/s acknowledged over the last window.
    private(set) var throughput: Double = 0
    /// Bit/s the link carried while it was full, raised when it later
    /// carries more without a queue; nil until it has been full.
    var capacity: Double?
    /// Bit/s it carried the last time it was full, and when (ns): where
    /// probing slows down.
    var lastFullRate: (bitsPerSecond: Double, at: UInt64)?
    /// Consecutive samples that saw a queue building.
    private(set) var fullSamples = 0
    /// When a queue was last seen building (ns).
    private(set) var lastFull: UInt64?
    /// Since when the queue has been building without a break (ns).
    private(set) var fullSince: UInt64?
    /// Seconds of stream queued at the last sample.
    private(set) var queueSeconds: Double = 0
    /// Its queue when the rate was last cut for it; nil once it cleared.
    var queueAtCut: Int?
    /// Below the floor: served keyframe-skipped, and not followed by the encoder.
    var belowFloor = false
    /// When it went below the floor (ns).
    var belowFloorSince: UInt64 = 0


    /// Takes one sample. `streamRate` is the bit/s the encoder produces now
    /// (audio and muxing included), to turn queued bytes into seconds.
    /// Returns true when the link is full: a queue has built up.
    mutating func update(_ sample: LinkSample, streamRate: Double, now: UInt64) -> Bool {
        // Counted from the first acknowledgement: the wait for the first
        // frame says nothing about the link.
        if sample.acknowledgedBytes > 0 {
            throughput = acknowledged.add(sample.acknowledgedBytes, at: now)
        }
        queueSeconds = Double(sample.unsentBytes) * 8 / max(streamRate, 1)
        let queueingDelay = sample.minimumRTT > 0 ? max(0, sample.smoothedRTT - sample.minimumRTT) : 0
        let building = queueSeconds > Self.queueLimit || queueingDelay > Self.delayLimit
        fullSamples = building ? fullSamples + 1 : 0
        if building {
            lastFull = now
            fullSince = fullSince ?? now
        } else {
            queueAtCut = nil
            fullSince = nil
        }
        return fullSamples >= 2 || queueSeconds > Self.severeQueue
    }

    /// Whether `throughput` spans enough time to set a rate by.
    var isMeasured: Bool { acknowledged.span >= 500_000_000 }

    /// Full for long enough, over a whole window, that a low throughput is
    /// the link and not a slow start: only then may it go below the floor.
    func isSettledFull(now: UInt64) -> Bool {
        guard let fullSince, acknowledged.span >= 900_000_000 else { return false }
        return now >= fullSince + 2_000_000_000
    }

    /// No queue for `quiet` nanoseconds.
    func isClear(now: UInt64, quiet: UInt64) -> Bool {
        guard let lastFull else { return true }
        return now >= lastFull + quiet
    }

    /// The rate to show for this link: the measured capacity when it has
    /// been full, else what it carries now (a floor on what it can take).
    /// Not ngtcp2's delivery rate: on a shaped link it read 10-30 times the
    /// shaper's rate (bursts into the local qdisc).
    var estimate: Double {
        capacity ?? throughput
    }
}
