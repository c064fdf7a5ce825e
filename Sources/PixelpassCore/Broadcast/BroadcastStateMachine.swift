/// Decides, without doing any I/O, when the capture pipeline runs and which
/// viewer gets which chunk. The `Broadcaster` performs the actions it returns.
///
/// - The pipeline starts with the first viewer and stops `gracePeriod` after
///   the last one leaves (a viewer who reconnects quickly finds it running).
/// - A viewer starts at a keyframe, preceded by the program tables, so its
///   first decoded frame is clean; on every join we ask for a keyframe now.
/// - A viewer whose backlog exceeds `maxBacklogBytes` skips forward: its
///   unsent bytes are dropped and it resumes at the next keyframe. This is
///   decided only where a chunk starts a unit (a whole frame), so the
///   frame in flight is sent whole and nothing after it is half-sent.
/// - A viewer that acknowledges nothing for `stallTimeout` while data waits
///   for it is disconnected, so a dead reader cannot pin memory.
struct BroadcastStateMachine<ViewerID: Hashable> {
    enum Pipeline: Equatable {
        case stopped
        case running
        /// No viewers; stops at the deadline unless someone joins.
        case lingering(until: UInt64)
    }

    enum Action: Equatable {
        case startPipeline
        case stopPipeline
        case requestKeyframe
        case armGraceTimer(deadline: UInt64)
        case cancelGraceTimer
    }

    enum JoinResult: Equatable {
        case accepted([Action])
        /// The host already serves `limit` viewers.
        case full(limit: Int)
    }

    /// What one chunk means for one viewer.
    enum Delivery: Equatable {
        /// Send the program tables, then the chunk: the viewer starts here.
        case start
        /// Send the chunk.
        case chunk
        /// The viewer fell too far behind: drop its unsent bytes; it will
        /// start again at the next keyframe.
        case skipAhead
        /// The viewer made no progress for `stallTimeout`: end its stream.
        case disconnect
    }

    struct ViewerState: Equatable {
        var waitingForKeyframe = true
        var keyframeSkips = 0
        /// When the viewer joined or last acknowledged data.
        var lastProgress: UInt64
        var disconnecting = false
    }

    let gracePeriod: UInt64
    let maxViewers: Int
    /// Follows the encoder's rate: about a second of the stream.
    var maxBacklogBytes: Int
    let stallTimeout: UInt64
    private(set) var pipeline: Pipeline = .stopped
    private(set) var viewers: [ViewerID: ViewerState] = [:]
    /// When a skip last asked the encoder for a keyframe.
    private var lastSkipKeyframe: UInt64?
    /// A skip asks for a keyframe at most this often: every IDR costs all
    /// viewers bits, and a link that keeps skipping is below the floor.
    static var skipKeyframeSpacing: UInt64 { 1_000_000_000 }

    init(gracePeriod: UInt64, maxViewers: Int, maxBacklogBytes: Int, stallTimeout: UInt64) {
        self.gracePeriod = gracePeriod
        self.maxViewers = maxViewers
        self.maxBacklogBytes = maxBacklogBytes
        self.stallTimeout = stallTimeout
    }

    mutating func join(_ id: ViewerID, now: UInt64) -> JoinResult {
        guard viewers[id] == nil else { return .accepted([]) }
        guard viewers.count < maxViewers else { return .full(limit: maxViewers) }
        viewers[id] = ViewerState(lastProgress: now)
        switch pipeline {
        case .stopped:
            pipeline = .running
            return .accepted([.startPipeline])
        case .lingering:
            pipeline = .running
            return .accepted([.cancelGraceTimer, .requestKeyframe])
        case .running:
            return .accepted([.requestKeyframe])
        }
    }

    mutating func leave(_ id: ViewerID, now: UInt64) -> [Action] {
        guard viewers.removeValue(forKey: id) != nil else { return [] }
        guard viewers.isEmpty, pipeline == .running else { return [] }
        let deadline = now + gracePeriod
        pipeline = .lingering(until: deadline)
        return [.armGraceTimer(deadline: deadline)]
    }

    mutating func graceTimerFired(now: UInt64) -> [Action] {
        guard case .lingering(let deadline) = pipeline, now >= deadline else { return [] }
        pipeline = .stopped
        return [.stopPipeline]
    }

    /// The pipeline died on its own (e.g. an encoder error): the next viewer
    /// starts a fresh one.
    mutating func pipelineFailed() {
        pipeline = .stopped
    }

    /// A viewer skipped: whether to ask the encoder for a keyframe now,
    /// so it waits a frame or two instead of up to a keyframe interval.
    mutating func keyframeForSkip(now: UInt64) -> Bool {
        if let last = lastSkipKeyframe, now < last + Self.skipKeyframeSpacing { return false }
        lastSkipKeyframe = now
        return true
    }

    /// The viewer acknowledged data: it is alive.
    mutating func progressed(_ id: ViewerID, now: UInt64) {
        viewers[id]?.lastProgress = now
    }

    /// Routes one chunk. `backlog` reports how many bytes a viewer owes
    /// (queued or unacknowledged). `startsUnit`: the chunk begins a frame
    /// (keyframes always do); only there may a viewer skip.
    mutating func route(isKeyframe: Bool, startsUnit: Bool = true, now: UInt64,
                        backlog: (ViewerID) -> Int) -> [(ViewerID, Delivery)] {
        var out: [(ViewerID, Delivery)] = []
        out.reserveCapacity(viewers.count)
        for (id, state) in viewers where !state.disconnecting {
            var state = state
            let owed = backlog(id)
            if owed > 0 && now >= state.lastProgress + stallTimeout {
                state.disconnecting = true
                viewers[id] = state
                out.append((id, .disconnect))
                continue
            }
            if !state.waitingForKeyframe && (startsUnit || isKeyframe) && owed > maxBacklogBytes {
                state.waitingForKeyframe = true
                state.keyframeSkips += 1
                out.append((id, .skipAhead))
            }
            if state.waitingForKeyframe {
                if isKeyframe {
                    state.waitingForKeyframe = false
                    out.append((id, .start))
                }
            } else {
                out.append((id, .chunk))
            }
            viewers[id] = state
        }
        return out
    }
}
