import Dispatch
import NIOCore
import PixelpassMedia
import PixelpassTransport
import PixelpassBytes

/// One capture pipeline fanned out to every viewer's HTTP/3 response. The
/// decisions live in `BroadcastStateMachine`; this shell starts and stops the
/// pipeline, hops chunks from GStreamer's thread to the event loop, and writes
/// them to the responders. Use it on its event loop only.
// @unchecked Sendable: confined to `eventLoop`; other threads only hop onto it.
final class Broadcaster: @unchecked Sendable {
    typealias ViewerID = ObjectIdentifier

    private let eventLoop: EventLoop
    private let settings: MediaSettings
    /// Decided once at host start: every run captures exactly that source.
    private let resolved: ResolvedMedia
    private var machine: BroadcastStateMachine<ViewerID>
    private var responders: [ViewerID: HTTP3Responder] = [:]
    private var pipeline: MediaPipeline?
    /// Chunks from an older pipeline run are ignored.
    private var generation = 0
    private var graceTimer: Scheduled<Void>?
    private var programTables: SharedBytes?
    private var stats: [ViewerID: ViewerStats] = [:]
    /// Starting and stopping GStreamer can block for a moment; keep it off the event loop.
    private let mediaControl = DispatchQueue(label: "pixelpass.media-control")

    init(eventLoop: EventLoop, settings: MediaSettings, resolved: ResolvedMedia, gracePeriod: Double,
         maxViewers: Int, maxBacklogBytes: Int, stallTimeout: Double) {
        self.eventLoop = eventLoop
        self.settings = settings
        self.resolved = resolved
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

    /// Adds a viewer whose 200 response has started. False when full.
    func add(_ responder: HTTP3Responder) -> Bool {
        let id = ObjectIdentifier(responder)
        let now = MonotonicClock.now
        switch machine.join(id, now: now) {
        case .full:
            return false
        case .accepted(let actions):
            responders[id] = responder
            stats[id] = ViewerStats(viewerID: responder.peer.id, since: now)
            responder.onAcknowledged = { [weak self] in
                self?.machine.progressed(id, now: MonotonicClock.now)
            }
            perform(actions)
            return true
        }
    }

    /// Removes a viewer whose stream ended; returns its final counters.
    @discardableResult
    func remove(_ responder: HTTP3Responder) -> ViewerStats? {
        let id = ObjectIdentifier(responder)
        guard responders.removeValue(forKey: id) != nil else { return nil }
        var final = stats.removeValue(forKey: id)
        final?.keyframeSkips = machine.viewers[id]?.keyframeSkips ?? 0
        perform(machine.leave(id, now: MonotonicClock.now))
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
                Console.info("last viewer left: capture stopped")
                stopPipeline()
            case .requestKeyframe:
                let pipeline = self.pipeline
                mediaControl.async { pipeline?.requestKeyframe() }
            case .armGraceTimer(let deadline):
                graceTimer?.cancel()
                graceTimer = eventLoop.scheduleTask(deadline: .uptimeNanoseconds(deadline)) { [weak self] in
                    guard let self else { return }
                    self.perform(self.machine.graceTimerFired(now: MonotonicClock.now))
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
            let pipeline = try MediaPipeline(settings: settings, resolved: resolved)
            self.pipeline = pipeline
            Console.info("first viewer: capture started (\(captureLabel))")
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
            Console.debug("pipeline: \(pipeline.launchDescription)")
        } catch {
            pipelineFailed(error, generation: generation)
        }
    }

    private func stopPipeline() {
        generation += 1
        programTables = nil
        guard let pipeline else { return }
        self.pipeline = nil
        mediaControl.async { pipeline.stop() }
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
        Console.error("capture failed: \(error)")
        machine.pipelineFailed()
        pipeline = nil
        self.generation += 1
        // Viewers cannot be served without a pipeline: end their streams with an error.
        for responder in responders.values { responder.cancel(code: HTTP3ErrorCode.internalError) }
    }

    private func deliver(_ chunk: SharedBytes, keyframeTables: SharedBytes?, generation: Int) {
        guard generation == self.generation else { return }
        if let keyframeTables { programTables = keyframeTables }
        let deliveries = machine.route(isKeyframe: keyframeTables != nil, now: MonotonicClock.now) { id in
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
                Console.info("viewer \(responder.peer.id) is behind: skipped \(dropped) bytes to the next keyframe")
            case .disconnect:
                Console.info("viewer \(responder.peer.id) dropped: it read nothing for \(Int(Double(machine.stallTimeout) / 1e9)) s")
                responder.cancel(code: HTTP3ErrorCode.requestRejected)
            }
        }
    }

    private func write(_ bytes: SharedBytes, to responder: HTTP3Responder, _ id: ViewerID) {
        responder.write(bytes)
        stats[id]?.bytesSent += bytes.count
    }
}
