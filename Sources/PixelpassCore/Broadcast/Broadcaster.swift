import Logging
import Dispatch
import NIOCore
import PixelpassMedia
import PixelpassTransport
import PixelpassBytes

/// One capture pipeline fanned out to every viewer's HTTP/3 response. The
/// decisions live in `BroadcastStateMachine`; this shell starts and stops the
/// pipeline, hops chunks from GStreamer's thread to the event loop, and writes
/// them to the responders. Use it on its event loop only. Its clock is the
/// event loop's (`EventLoop.now`), so a test loop's clock drives it.
// @unchecked Sendable: confined to `eventLoop`; other threads only hop onto it.
final class Broadcaster: @unchecked Sendable {
    typealias ViewerID = ObjectIdentifier

    let eventLoop: EventLoop
    /// A fresh source for every run of the capture.
    private let makeSource: () throws -> any BroadcastSource
    var machine: BroadcastStateMachine<ViewerID>
    var responders: [ViewerID: any BroadcastViewer] = [:]
    var pipeline: (any BroadcastSource)?
    /// Chunks from an older pipeline run are ignored.
    private var generation = 0
    private var graceTimer: Scheduled<Void>?
    private var programTables: SharedBytes?
    private var stats: [ViewerID: ViewerStats] = [:]
    /// Picks the encoder's rate and picture from the viewers' links; nil
    /// when nothing adapts (tests of the fan-out alone).
    var rate: RateController<ViewerID>?
    var rateTimer: RepeatedTask?
    /// Bytes the pipeline produced since the host started, and their rate
    /// over the last two seconds: what the encoder really makes of its target.
    var producedBytes = 0
    var produced = RateWindow(window: 2_000_000_000)
    /// The backlog limit the host was configured with; the live limit is
    /// about a second of the stream at the current rate, never above it.
    let configuredBacklogLimit: Int
    /// Starting and stopping GStreamer can block for a moment; keep it off the event loop.
    let mediaControl: (@escaping @Sendable () -> Void) -> Void
    let logger: Logger

    /// `resolved` was decided once at host start: every run captures exactly that source.
    convenience init(eventLoop: EventLoop, logger: Logger, settings: MediaSettings, resolved: ResolvedMedia,
                     gracePeriod: Double, maxViewers: Int, maxBacklogBytes: Int, stallTimeout: Double,
                     rate: RateController<ViewerID>.Configuration) {
        let queue = DispatchQueue(label: "pixelpass.media-control")
        self.init(eventLoop: eventLoop, logger: logger, gracePeriod: gracePeriod, maxViewers: maxViewers,
                  maxBacklogBytes: maxBacklogBytes, stallTimeout: stallTimeout, rate: rate,
                  makeSource: { try MediaPipeline(settings: settings, resolved: resolved) },
                  mediaControl: { queue.async(execute: $0) })
    }

    init(eventLoop: EventLoop, logger: Logger, gracePeriod: Double, maxViewers: Int, maxBacklogBytes: Int,
         stallTimeout: Double, rate: RateController<ViewerID>.Configuration? = nil,
         makeSource: @escaping () throws -> any BroadcastSource,
         mediaControl: @escaping (@escaping @Sendable () -> Void) -> Void) {
        self.eventLoop = eventLoop
        self.logger = logger
        self.makeSource = makeSource
        self.mediaControl = mediaControl
        self.configuredBacklogLimit = maxBacklogBytes
        self.rate = rate.map { RateController($0) }
        self.machine = BroadcastStateMachine(gracePeriod: MonotonicClock.seconds(gracePeriod),
                                             maxViewers: maxViewers, maxBacklogBytes: maxBacklogBytes,
                                             stallTimeout: MonotonicClock.seconds(stallTimeout))
        updateBacklogLimit()
    }

    /// Counters of every stream being served, for logs and status displays.
    func viewerStats() -> [ViewerStats] {
        stats.compactMap { id, value in
            var current = value
            current.keyframeSkips = machine.viewers[id]?.keyframeSkips ?? value.keyframeSkips
            current.lagBytes = responders[id]?.bufferedBytes ?? 0
            if let link = rate?.links[id] {
                current.estimatedBitsPerSecond = link.estimate
                current.belowFloor = link.belowFloor
            }
            return current
        }.sorted { $0.since < $1.since }
    }

    /// The encoder's current rate and picture, and what limits them; nil
    /// when this broadcaster does not adapt.
    func encoderStatus() -> EncoderStatus? {
        guard let rate else { return nil }
        let configuration = rate.configuration
        return EncoderStatus(mode: configuration.mode, bitrateKbps: rate.targetKbps,
                             ceilingKbps: configuration.ceilingKbps, floorKbps: configuration.floorKbps,
                             picture: rate.picture, limit: rate.limit)
    }

    var viewerCount: Int { responders.count }
    var maxViewers: Int { machine.maxViewers }
    var isPipelineRunning: Bool { pipeline != nil }

    var now: UInt64 { eventLoop.now.uptimeNanoseconds }

    /// Adds a viewer whose 200 response has started. False when full.
    func add(_ responder: any BroadcastViewer) -> Bool {
        let id = ObjectIdentifier(responder)
        let now = self.now
        switch machine.join(id, now: now) {
        case .full:
            return false
        case .accepted(let actions):
            responders[id] = responder
            stats[id] = ViewerStats(viewerID: responder.viewerID, since: now)
            responder.onAcknowledged = { [weak self] in
                guard let self else { return }
                self.machine.progressed(id, now: self.now)
            }
            perform(actions)
            return true
        }
    }

    /// Removes a viewer whose stream ended; returns its final counters.
    @discardableResult
    func remove(_ responder: any BroadcastViewer) -> ViewerStats? {
        let id = ObjectIdentifier(responder)
        guard responders.removeValue(forKey: id) != nil else { return nil }
        var final = stats.removeValue(forKey: id)
        final?.keyframeSkips = machine.viewers[id]?.keyframeSkips ?? 0
        rate?.viewerLeft(id)
        perform(machine.leave(id, now: now))
        return final
    }

    /// Ends every viewer's stream and stops the pipeline now.
    func stopAll() {
        for responder in responders.values { responder.finish() }
        responders.removeAll()
        graceTimer?.cancel()
        stopPipeline()
    }

    private func perform(_ actions: [BroadcastStateMachine<ViewerID>.Action]) {
        for action in actions {
            switch action {
            case .startPipeline:
                startPipeline()
            case .stopPipeline:
                logger.info("last viewer left: capture stopped")
                stopPipeline()
            case .requestKeyframe:
                let pipeline = self.pipeline
                mediaControl { pipeline?.requestKeyframe() }
            case .armGraceTimer(let deadline):
                graceTimer?.cancel()
                graceTimer = eventLoop.scheduleTask(deadline: .uptimeNanoseconds(deadline)) { [weak self] in
                    guard let self else { return }
                    self.perform(self.machine.graceTimerFired(now: self.now))
                }
            case .cancelGraceTimer:
                graceTimer?.cancel()
                graceTimer = nil
            }
        }
    }

    private func startPipeline() {
        generation += 1
        let generation = self.generation
        let loop = eventLoop
        do {
            let pipeline = try makeSource()
            self.pipeline = pipeline
            logger.info("first viewer: capture started (\(captureLabel))")
            // GStreamer threads only hand the chunk over to the event loop.
            try pipeline.start(
                onChunk: { [weak self] chunk in
                    let bytes = chunk.bytes
                    let tables = chunk.isKeyframe ? SharedBytes(chunk.programTables) : nil
                    let startsUnit = chunk.startsUnit
                    loop.execute {
                        self?.deliver(bytes, keyframeTables: tables, startsUnit: startsUnit, generation: generation)
                    }
                },
                onFailure: { [weak self] error in
                    loop.execute { self?.pipelineFailed(error, generation: generation) }
                })
            logger.debug("pipeline: \(pipeline.launchDescription)")
            applyCurrentRate(to: pipeline)
            startRateTimer()
        } catch {
            pipelineFailed(error, generation: generation)
        }
    }

    private func stopPipeline() {
        generation += 1
        programTables = nil
        stopRateTimer()
        guard let pipeline else { return }
        self.pipeline = nil
        mediaControl { pipeline.stop() }
    }

    /// What the log says is being captured, e.g. "1280x720@30, 4000 kbit/s, audio".
    var captureLabel = ""

    /// Called when the capture source itself went away: sharing cannot go on.
    var onSourceLost: ((String) -> Void)?

    private func pipelineFailed(_ error: Error, generation: Int) {
        guard generation == self.generation else { return }
        stopRateTimer()
        if case MediaError.sourceLost(let reason) = error {
            self.generation += 1
            pipeline = nil
            machine.pipelineFailed()
            onSourceLost?(reason)
            return
        }
        logger.error("capture failed: \(error)")
        machine.pipelineFailed()
        pipeline = nil
        self.generation += 1
        // Viewers cannot be served without a pipeline: end their streams with an error.
        for responder in responders.values { responder.cancel(code: HTTP3ErrorCode.internalError) }
    }

    private func deliver(_ chunk: SharedBytes, keyframeTables: SharedBytes?, startsUnit: Bool, generation: Int) {
        guard generation == self.generation else { return }
        producedBytes += chunk.count
        if let keyframeTables { programTables = keyframeTables }
        let deliveries = machine.route(isKeyframe: keyframeTables != nil, startsUnit: startsUnit, now: now) { id in
            responders[id]?.unsentBytes ?? 0
        }
        for (id, delivery) in deliveries {
            guard let responder = responders[id] else { continue }
            switch delivery {
            case .start:
                if let tables = programTables { write(tables, to: responder, id, cutPoint: true) }
                write(chunk, to: responder, id, cutPoint: false)
            case .chunk:
                write(chunk, to: responder, id, cutPoint: startsUnit)
            case .skipAhead:
                let dropped = responder.dropUnsent()
                logger.info("viewer \(responder.viewerID) is behind: skipped \(dropped) bytes to the next keyframe")
                // Ask for that keyframe now rather than up to two seconds later,
                // unless the viewer is below the floor: it skips all the time,
                // and extra keyframes would cost everyone else bits.
                let belowFloor = rate?.links[id]?.belowFloor ?? false
                if !belowFloor, machine.keyframeForSkip(now: now) { perform([.requestKeyframe]) }
            case .disconnect:
                logger.info("viewer \(responder.viewerID) dropped: it read nothing for \(Int(Double(machine.stallTimeout) / 1e9)) s")
                responder.cancel(code: HTTP3ErrorCode.requestRejected)
            }
        }
    }

    private func write(_ bytes: SharedBytes, to responder: any BroadcastViewer, _ id: ViewerID, cutPoint: Bool) {
        responder.write(bytes, cutPoint: cutPoint)
        stats[id]?.bytesSent += bytes.count
    }
}
