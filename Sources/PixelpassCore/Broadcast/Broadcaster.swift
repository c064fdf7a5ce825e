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

    private let eventLoop: EventLoop
    /// A fresh source for every run of the capture.
    private let makeSource: () throws -> any BroadcastSource
    private var machine: BroadcastStateMachine<ViewerID>
    private var responders: [ViewerID: any BroadcastViewer] = [:]
    private var pipeline: (any BroadcastSource)?
    /// Chunks from an older pipeline run are ignored.
    private var generation = 0
    private var graceTimer: Scheduled<Void>?
    private var programTables: SharedBytes?
    private var stats: [ViewerID: ViewerStats] = [:]
    /// Starting and stopping GStreamer can block for a moment; keep it off the event loop.
    private let mediaControl: (@escaping @Sendable () -> Void) -> Void
    private let logger: Logger

    /// `resolved` was decided once at host start: every run captures exactly that source.
    convenience init(eventLoop: EventLoop, logger: Logger, settings: MediaSettings, resolved: ResolvedMedia,
                     gracePeriod: Double, maxViewers: Int, maxBacklogBytes: Int, stallTimeout: Double) {
        let queue = DispatchQueue(label: "pixelpass.media-control")
        self.init(eventLoop: eventLoop, logger: logger, gracePeriod: gracePeriod, maxViewers: maxViewers,
                  maxBacklogBytes: maxBacklogBytes, stallTimeout: stallTimeout,
                  makeSource: { try MediaPipeline(settings: settings, resolved: resolved) },
                  mediaControl: { queue.async(execute: $0) })
    }

    init(eventLoop: EventLoop, logger: Logger, gracePeriod: Double, maxViewers: Int, maxBacklogBytes: Int,
         stallTimeout: Double, makeSource: @escaping () throws -> any BroadcastSource,
         mediaControl: @escaping (@escaping @Sendable () -> Void) -> Void) {
        self.eventLoop = eventLoop
        self.logger = logger
        self.makeSource = makeSource
        self.mediaControl = mediaControl
        self.machine = BroadcastStateMachine(gracePeriod: MonotonicClock.seconds(gracePeriod),
                                             maxViewers: maxViewers, maxBacklogBytes: maxBacklogBytes,
                                             stallTimeout: MonotonicClock.seconds(stallTimeout))
    }

    /// Counters of every stream being served, for logs and status displays.
    func viewerStats() -> [ViewerStats] {
        stats.compactMap { id, value in
            var current = value
            current.keyframeSkips = machine.viewers[id]?.keyframeSkips ?? value.keyframeSkips
            current.lagBytes = responders[id]?.bufferedBytes ?? 0
            return current
        }.sorted { $0.since < $1.since }
    }

    var viewerCount: Int { responders.count }
    var maxViewers: Int { machine.maxViewers }
    var isPipelineRunning: Bool { pipeline != nil }

    private var now: UInt64 { eventLoop.now.uptimeNanoseconds }

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
                    loop.execute { self?.deliver(bytes, keyframeTables: tables, generation: generation) }
                },
                onFailure: { [weak self] error in
                    loop.execute { self?.pipelineFailed(error, generation: generation) }
                })
            logger.debug("pipeline: \(pipeline.launchDescription)")
        } catch {
            pipelineFailed(error, generation: generation)
        }
    }

    private func stopPipeline() {
        generation += 1
        programTables = nil
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

    private func deliver(_ chunk: SharedBytes, keyframeTables: SharedBytes?, generation: Int) {
        guard generation == self.generation else { return }
        if let keyframeTables { programTables = keyframeTables }
        let deliveries = machine.route(isKeyframe: keyframeTables != nil, now: now) { id in
            responders[id]?.unsentBytes ?? 0
        }
        for (id, delivery) in deliveries {
            guard let responder = responders[id] else { continue }
            switch delivery {
            case .start:
                if let tables = programTables { write(tables, to: responder, id) }
                write(chunk, to: responder, id)
            case .chunk:
                write(chunk, to: responder, id)
            case .skipAhead:
                let dropped = responder.dropUnsent()
                logger.info("viewer \(responder.viewerID) is behind: skipped \(dropped) bytes to the next keyframe")
            case .disconnect:
                logger.info("viewer \(responder.viewerID) dropped: it read nothing for \(Int(Double(machine.stallTimeout) / 1e9)) s")
                responder.cancel(code: HTTP3ErrorCode.requestRejected)
            }
        }
    }

    private func write(_ bytes: SharedBytes, to responder: any BroadcastViewer, _ id: ViewerID) {
        responder.write(bytes)
        stats[id]?.bytesSent += bytes.count
    }
}
