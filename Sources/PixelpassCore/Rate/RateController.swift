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
///   last second; cuts are at least `decreaseSpacing` apart so the queue can
///   drain.
/// - After `increaseQuiet` without any queue the rate grows by 10% a second
///   while far below the last measured capacity, 3% near it.
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
    /// A viewer below the floor is tried again after this long without a queue.
    static var floorRetry: UInt64 { 10_000_000_000 }
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

    mutating func viewerLeft(_ id: ViewerID) {
        links.removeValue(forKey: id)
    }

    /// One sample of every viewer being streamed to.
    mutating func sample(_ samples: [ViewerID: LinkSample], now: UInt64) -> [Action] {
        for id in links.keys where samples[id] == nil { links.removeValue(forKey: id) }
        let streamRate = self.streamRate(videoKbps: targetKbps)
        var actions: [Action] = []
        var cut: Int?
        var anyFull = false
        for (id, sample) in samples {
            var link = links[id] ?? LinkEstimator()
            let full = link.update(sample, streamRate: streamRate, now: now)
            if full {
                // What the link carried while full is what it can carry.
                link.capacity = link.throughput
                if !link.belowFloor {
                    let affordable = videoKbps(forStreamRate: link.throughput * Self.backoff)
                    if affordable < configuration.floorKbps {
                        link.belowFloor = true
                        link.belowFloorSince = now
                        actions.append(.belowFloor(id, true))
                    } else {
                        anyFull = true
                        cut = min(cut ?? .max, affordable)
                    }
                }
            } else if !link.belowFloor, let capacity = link.capacity, link.throughput > capacity {
                // It carried more than we thought: the old figure is stale.
                link.capacity = nil
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
        let above = links.values.filter { !$0.belowFloor }
        if above.isEmpty, !links.isEmpty {
            // Every viewer is below the floor: serve them at the floor.
            target = configuration.floorKbps
        } else if let cut, anyFull {
            if lastDecrease.map({ now >= $0 + Self.decreaseSpacing }) ?? true, cut < target {
                target = cut
                lastDecrease = now
            }
        } else if !above.isEmpty, above.allSatisfy({ $0.isClear(now: now, quiet: Self.increaseQuiet) }),
                  lastDecrease.map({ now >= $0 + Self.increaseQuiet }) ?? true,
                  now >= lastIncrease + Self.increaseSpacing, target < configuration.ceilingKbps {
            let known = above.compactMap(\.capacity).min()
            let nearCapacity = known.map { streamRate >= $0 * 0.9 } ?? false
            target = Int(Double(target) * (nearCapacity ? 1.03 : 1.10)) + 1
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
