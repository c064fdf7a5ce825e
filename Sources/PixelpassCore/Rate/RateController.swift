import PixelpassMedia

/// What holds the encoder's rate where it is.
public enum RateLimit: String, Sendable, Equatable {
    /// The configured ceiling (`--bitrate`).
    case ceiling
    /// A link between host and viewers: the host's uplink, or the slowest
    /// viewer's path above the floor.
    case uplink
}

/// Chooses the one encoder's bitrate and picture from what the viewers'
/// links take. Pure: samples and the time in, actions out; `Broadcaster`
/// samples every `interval` and performs the actions.
///
/// - The rate follows the slowest viewer above `floorKbps`. A viewer whose
///   link cannot carry the floor is left out and served keyframe-skipped
///   (the broadcaster drops its backlog at frame boundaries), so it gets
///   fewer pictures and nobody else gets less.
/// - A queue building toward a viewer (two samples in a row, or one long
///   queue) cuts the rate at once to 85% of what that link carried in the
///   last second, less what it takes to drain the queue in two seconds (at
///   most 15% more; a longer queue is skipped, not drained); another cut follows only after `decreaseSpacing` and
///   only if that queue is not draining.
///   Encoders miss their target (busy pictures overshoot, still ones
///   undershoot), so the cut scales by what the encoder really produced.
/// - After `increaseQuiet` without any queue, and while the encoder makes
///   about what it is asked for, the rate grows each second: 15% while far
///   below the rate a link was last full at (in the last `recentCongestion`)
///   or when none was, 5% up to it, then in rungs past it: up to 8% past
///   it in 3% steps, and only after `increaseQuiet` there without a queue
///   (the link has more now) is the held rate taken as the new reference
///   and the next rung climbed: 8%, 15%, 30%, then 50% at a time in 3%,
///   5%, 10% and 15% steps. A probe past a link that has not grown so
///   stays within 8% of it (a fixed 3%→8%→15% schedule took a steady
///   3 Mbit/s uplink 7% past it every 16 s), and a link that has grown is
///   found again within a minute: twice the rate in about 30 s.
/// - The picture follows the rate (see `PictureLadder`).
struct RateController<ViewerID: Hashable>: Sendable where ViewerID: Sendable {
    struct Configuration: Equatable, Sendable {
        var mode: BitrateMode
        var ceilingKbps: Int
        var floorKbps: Int
        /// The audio's share of the stream (0 without audio).
        var audioKbps: Int
        var nominal: VideoPicture
    }

    enum Action: Equatable, Sendable {
        case setBitrate(kbps: Int)
        case setPicture(VideoPicture)
        /// The viewer went below the floor (true) or came back above it.
        case belowFloor(ViewerID, Bool)
    }

    static var interval: UInt64 { 250_000_000 }
    static var decreaseSpacing: UInt64 { 1_000_000_000 }
    static var increaseQuiet: UInt64 { 3_000_000_000 }
    static var increaseSpacing: UInt64 { 1_000_000_000 }
    /// Probing stays gentle this long after the last queue.
    static var recentCongestion: UInt64 { 60_000_000_000 }
    /// A viewer below the floor is tried again after this long without a queue.
    static var floorRetry: UInt64 { 5_000_000_000 }
    /// Past where a link was last full, rung by rung: how far past the
    /// reference a rung goes, and the steps it is climbed in. A rung is
    /// proven by `increaseQuiet` at its top without a queue.
    static var pastFullRungs: [(limit: Double, step: Double)] {
        [(1.08, 1.03), (1.08, 1.03), (1.15, 1.05), (1.3, 1.1), (1.5, 1.15)]
    }
    /// Cut to this share of the measured capacity.
    static var backoff: Double { 0.85 }
    /// MPEG-TS headers and PES framing on top of the elementary streams.
    static var muxOverhead: Double { 1.06 }

    let configuration: Configuration
    let ladder: PictureLadder
    private(set) var targetKbps: Int
    private(set) var pictureStep = 0
    private(set) var links: [ViewerID: LinkEstimator] = [:]
    private var lastDecrease: UInt64?
    private var lastIncrease: UInt64 = 0
    /// Rungs proven past where a link was last full, since the last cut.
    private var pastFullRung = 0
    /// When probing reached the top of the current rung.
    private var atRungTopSince: UInt64?

    private var rung: (limit: Double, step: Double) {
        Self.pastFullRungs[min(pastFullRung, Self.pastFullRungs.count - 1)]
    }

    init(_ configuration: Configuration) {
        self.configuration = configuration
        self.ladder = PictureLadder(nominal: configuration.nominal)
        self.targetKbps = configuration.ceilingKbps
    }

    var picture: VideoPicture { ladder.steps[pictureStep] }

    var limit: RateLimit? {
        guard configuration.mode == .adaptive else { return nil }
        return targetKbps >= configuration.ceilingKbps ? .ceiling : .uplink
    }

    /// Bit/s of the whole stream at a video rate.
    func streamRate(videoKbps: Int) -> Double {
        Double(videoKbps + configuration.audioKbps) * 1000 * Self.muxOverhead
    }

    /// The video rate that makes a stream of `bitsPerSecond`.
    func videoKbps(forStreamRate bitsPerSecond: Double) -> Int {
        Int(bitsPerSecond / Self.muxOverhead / 1000) - configuration.audioKbps
    }

    /// Whether the encoder makes about what it is asked for. A still or
    /// simple picture makes far less; raising its target then proves
    /// nothing about the links, and the target would creep up until a
    /// busy moment sent all of it at once.
    private func usesItsTarget(produced: Double) -> Bool {
        produced <= 0 || streamRate(videoKbps: targetKbps) <= produced * 1.25
    }

    /// The links the encoder follows: those not below the floor.
    private var linksAboveFloor: [LinkEstimator] {
        links.values.filter { !$0.belowFloor }
    }

    /// The stream rate the slowest link above the floor was last full at,
    /// if that was within `recentCongestion`.
    private func recentlyFullRate(now: UInt64) -> Double? {
        linksAboveFloor.compactMap(\.lastFullRate)
            .filter { now < $0.at + Self.recentCongestion }.map(\.bitsPerSecond).min()
    }

    /// How much to grow the rate this second.
    private func probeFactor(streamRate: Double, now: UInt64) -> Double {
        guard let full = recentlyFullRate(now: now) else { return 1.15 }
        if streamRate < full * 0.7 { return 1.15 }
        // Toward where it was full, then gently past it: a step too far
        // costs a queue.
        return streamRate < full ? 1.05 : rung.step
    }

    /// The probe's next target, held at the top of the current rung past
    /// the rate a link was last full at. Once it has been there for
    /// `increaseQuiet` with no link seeing a queue since, the held rate is
    /// the new reference (its time stays the congestion's, so it still
    /// expires) and the next rung is open.
    private mutating func limitPastFull(_ next: Int, from target: Int, produced: Double, now: UInt64) -> Int {
        guard let full = recentlyFullRate(now: now) else { return next }
        let limit = max(target, videoKbps(forStreamRate: full * rung.limit, produced: produced))
        guard next > limit else { return next }
        guard target >= limit, let since = atRungTopSince else {
            atRungTopSince = now
            return limit
        }
        let quietSince = linksAboveFloor.allSatisfy { ($0.lastFull ?? 0) < since }
        guard quietSince, now >= since + Self.increaseQuiet else {
            if !quietSince { atRungTopSince = now }
            return limit
        }
        let held = streamRate(videoKbps: target)
        for id in links.keys {
            if let last = links[id]?.lastFullRate, last.bitsPerSecond < held {
                links[id]?.lastFullRate = (held, last.at)
            }
        }
        pastFullRung += 1
        atRungTopSince = nil
        return min(next, videoKbps(forStreamRate: held * rung.limit, produced: produced))
    }

    mutating func viewerLeft(_ id: ViewerID) {
        links.removeValue(forKey: id)
    }

    /// The video rate that makes a stream of `bitsPerSecond`, given that the
    /// encoder now produces `produced` bit/s at `targetKbps` (0: unknown).
    /// Never above the plain arithmetic: an encoder that undershoots (a
    /// still screen) must not be handed a higher target on a full link.
    func videoKbps(forStreamRate bitsPerSecond: Double, produced: Double) -> Int {
        let plain = videoKbps(forStreamRate: bitsPerSecond)
        guard produced > 0 else { return plain }
        return min(plain, Int(Double(targetKbps) * bitsPerSecond / produced))
    }

    /// One sample of every viewer being streamed to. `produced` is the bit/s
    /// the pipeline really produced lately (0 when not known yet).
    mutating func sample(_ samples: [ViewerID: LinkSample], produced: Double = 0, now: UInt64) -> [Action] {
        for id in links.keys where samples[id] == nil { links.removeValue(forKey: id) }
        let streamRate = max(self.streamRate(videoKbps: targetKbps), produced)
        var actions: [Action] = []
        var cut: Int?
        var anyFull = false
        for (id, sample) in samples {
            var link = links[id] ?? LinkEstimator()
            let full = link.update(sample, streamRate: streamRate, now: now)
            if full, link.isMeasured {
                // What the link carried while full is what it can carry.
                link.capacity = link.throughput
                link.lastFullRate = (link.throughput, now)
                if !link.belowFloor {
                    // Leave room to drain what is queued within two seconds.
                    let drain = min(Double(sample.unsentBytes) * 8 / 2, link.throughput * 0.15)
                    let desired = link.throughput * Self.backoff - drain
                    let affordable = videoKbps(forStreamRate: desired, produced: produced)
                    let draining = link.queueAtCut.map { sample.unsentBytes < $0 * 3 / 4 } ?? false
                    // Below the floor is about the link, not about a queue
                    // left over from a drop: judged without the drain.
                    let carries = videoKbps(forStreamRate: link.throughput * Self.backoff)
                    if carries < configuration.floorKbps {
                        // Not followed down: it goes below the floor once its
                        // low rate is measured, not a slow start.
                        if link.isSettledFull(now: now) {
                            link.belowFloor = true
                            link.belowFloorSince = now
                            actions.append(.belowFloor(id, true))
                        }
                    } else {
                        anyFull = true
                        if !draining { cut = min(cut ?? .max, max(affordable, configuration.floorKbps)) }
                        link.queueAtCut = link.queueAtCut ?? sample.unsentBytes
                    }
                }
            } else if let capacity = link.capacity, link.throughput > capacity {
                // It carried more than that without a queue: it can take more.
                link.capacity = link.throughput
            }
            if link.belowFloor, now >= link.belowFloorSince + Self.floorRetry,
               link.isClear(now: now, quiet: Self.floorRetry) {
                link.belowFloor = false
                link.capacity = nil
                actions.append(.belowFloor(id, false))
            }
            links[id] = link
        }
        guard configuration.mode == .adaptive else { return actions }

        var target = targetKbps
        let above = linksAboveFloor
        if above.isEmpty, !links.isEmpty {
            // Every viewer is below the floor: serve them at the floor.
            target = configuration.floorKbps
        } else if let cut, anyFull {
            if lastDecrease.map({ now >= $0 + Self.decreaseSpacing }) ?? true, cut < target {
                target = cut
                lastDecrease = now
                atRungTopSince = nil
                pastFullRung = 0
                // Each full link's queue now is what the next cut compares with.
                for id in links.keys where links[id]?.fullSamples ?? 0 > 0 {
                    links[id]?.queueAtCut = samples[id]?.unsentBytes
                }
            }
        } else if !above.isEmpty, above.allSatisfy({ $0.isClear(now: now, quiet: Self.increaseQuiet) }),
                  usesItsTarget(produced: produced),
                  lastDecrease.map({ now >= $0 + Self.increaseQuiet }) ?? true,
                  now >= lastIncrease + Self.increaseSpacing, target < configuration.ceilingKbps {
            let factor = probeFactor(streamRate: streamRate, now: now)
            target = limitPastFull(Int(Double(target) * factor) + 1, from: target, produced: produced, now: now)
            lastIncrease = now
        }
        target = min(configuration.ceilingKbps, max(configuration.floorKbps, target))
        if target != targetKbps {
            targetKbps = target
            actions.append(.setBitrate(kbps: target))
            let step = ladder.step(for: target, from: pictureStep)
            if step != pictureStep {
                pictureStep = step
                actions.append(.setPicture(ladder.steps[step]))
            }
        }
        return actions
    }
}
