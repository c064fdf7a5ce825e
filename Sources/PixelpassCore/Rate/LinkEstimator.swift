/// What the host has learnt about one viewer's link from its samples: the
/// rate it is taking data at, whether a queue is building toward it, and
/// the capacity measured the last time the link was the limit.
struct LinkEstimator: Equatable, Sendable {
    /// A queue of this many seconds of stream waiting to be sent, or this
    /// much RTT above the path's minimum, means the link is full.
    static let queueLimit = 0.25
    static let delayLimit = 0.2
    /// A queue this long means it now, without waiting for a second sample.
    static let severeQueue = 0.6
    /// Throughput is measured over this window (nanoseconds).
    static let window: UInt64 = 1_000_000_000

    /// (time, acknowledged bytes), oldest first, spanning about `window`.
    private var history: [(time: UInt64, bytes: Int)] = []
    /// Bit/s acknowledged over the last window.
    private(set) var throughput: Double = 0
    private(set) var deliveryRate: Double = 0
    /// Bit/s the link carried while it was full; nil until it has been.
    var capacity: Double?
    /// Consecutive samples that saw a queue building.
    private(set) var fullSamples = 0
    /// When a queue was last seen building (ns).
    private(set) var lastFull: UInt64?
    /// Seconds of stream queued at the last sample.
    private(set) var queueSeconds: Double = 0
    /// Below the floor: served keyframe-skipped, and not followed by the encoder.
    var belowFloor = false
    /// When it went below the floor (ns).
    var belowFloorSince: UInt64 = 0

    static func == (lhs: LinkEstimator, rhs: LinkEstimator) -> Bool {
        lhs.throughput == rhs.throughput && lhs.capacity == rhs.capacity && lhs.fullSamples == rhs.fullSamples
            && lhs.belowFloor == rhs.belowFloor && lhs.lastFull == rhs.lastFull
    }

    /// Takes one sample. `streamRate` is the bit/s the encoder produces now
    /// (audio and muxing included), to turn queued bytes into seconds.
    /// Returns true when the link is full: a queue has built up.
    mutating func update(_ sample: LinkSample, streamRate: Double, now: UInt64) -> Bool {
        history.append((now, sample.acknowledgedBytes))
        while history.count > 2, now - history[1].time >= Self.window {
            history.removeFirst()
        }
        if let first = history.first, now > first.time {
            throughput = Double(sample.acknowledgedBytes - first.bytes) * 8 / (Double(now - first.time) / 1e9)
        }
        deliveryRate = sample.deliveryRate
        queueSeconds = Double(sample.unsentBytes) * 8 / max(streamRate, 1)
        let queueingDelay = sample.minimumRTT > 0 ? max(0, sample.smoothedRTT - sample.minimumRTT) : 0
        let building = queueSeconds > Self.queueLimit || queueingDelay > Self.delayLimit
        fullSamples = building ? fullSamples + 1 : 0
        if building { lastFull = now }
        return fullSamples >= 2 || queueSeconds > Self.severeQueue
    }

    /// No queue for `quiet` nanoseconds.
    func isClear(now: UInt64, quiet: UInt64) -> Bool {
        guard let lastFull else { return true }
        return now >= lastFull + quiet
    }

    /// The rate to show for this link: the measured capacity when it has
    /// been full, else the best it has shown (a floor on what it can take).
    var estimate: Double {
        capacity ?? max(throughput, deliveryRate)
    }
}
