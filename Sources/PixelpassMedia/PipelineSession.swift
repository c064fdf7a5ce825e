import Foundation
import Synchronization
internal import CGStreamer

/// One running GstPipeline, from `gst_parse_launch` to the NULL state.
/// `MediaPipeline` makes a new session for every `start`.
///
/// Threads:
/// - the appsink streaming thread runs `handleSample` (via `newSampleThunk`)
///   and is the only thread that touches `scanner`;
/// - a bus reader thread turns bus errors into `onFailure`, and checks
///   that the capture source still delivers frames;
/// - the source's streaming thread stamps `activity` (a pad probe) and, for
///   X11, may report a lost connection through `X11ConnectionGuard`;
/// - any thread may call `requestKeyframe` and `shutdown`.
/// `state` (an NSCondition) guards every other mutable field.
// @unchecked Sendable: the threads above share it; `scanner` is confined to
// the streaming thread, the rest is guarded by `state`, an NSCondition
// because `shutdown` must wait for the stop (Mutex cannot wait).
final class PipelineSession: @unchecked Sendable {
    /// What kind of capture element the pipeline has, for failure reports.
    struct Options: Sendable, Equatable {
        enum Capture: Sendable, Equatable {
            /// A synthetic source: failures are pipeline failures.
            case none
            case x11(display: String, window: UInt64?)
            case pipewire(node: UInt32)
        }

        var capture: Capture = .none
        /// Install `ClockStampProbe` on the element named `clockStampName`.
        var clockStamp = false
        var stallLimits = SourceStallWatch.Limits.forFrameRate(30)
        /// The encoder named `encoderName`, for live bitrate changes.
        var encoder: VideoEncoder?
    }

    enum Phase {
        case running
        case stopping
        case stopped
    }

    private static let wakeupMessageName = "pixelpass-bus-wakeup"
    /// How long the bus reader blocks before it rechecks the phase; the
    /// wakeup message normally ends the wait sooner.
    private static let busPollNanoseconds: GstClockTime = 250_000_000

    private let pipeline: GstHandle<GstElement>
    private let sink: GstHandle<GstElement>
    /// h264parse's source pad: force-key-unit events sent here travel
    /// upstream through the parser (which then repeats SPS/PPS) to the encoder.
    private let parserSource: GstHandle<GstPad>
    private let bus: GstHandle<GstBus>
    /// The capture element (`pixelpass_src`), for x11 and pipewire.
    private let source: GstHandle<GstElement>?
    /// The encoder and the picture caps filter, when the description has them.
    private let encoder: GstHandle<GstElement>?
    private let picture: GstHandle<GstElement>?
    /// Stamped by a buffer probe on the capture element's src pad.
    private let activity: SourceActivity?
    private let options: Options
    private let onChunk: @Sendable (MediaChunk) -> Void
    private let onFailure: @Sendable (MediaError) -> Void

    private let state = NSCondition()
    private var phase = Phase.running
    private var reportedFailure = false
    private var keyUnitCount: UInt32 = 0
    /// The bus reader while it runs.
    private var busReader: Thread?
    private var busReaderStarted = false
    /// The streaming thread while it is inside `onChunk`, so `shutdown`
    /// called from there does not deadlock.
    private var deliveringThread: pthread_t?
    private let busReaderFinished = DispatchSemaphore(value: 0)
    /// A source failure found outside the bus reader, for it to report.
    private var pendingSourceLoss: String?
    /// The capture element's streaming thread is parked inside Xlib for
    /// good (see `X11ConnectionGuard`): it can never be stopped.
    private var sourceThreadParked = false
    private var x11Token: Int?
    /// Only the bus reader reads or writes this (set before it starts).
    private var stallWatch: SourceStallWatch?

    /// Only the appsink streaming thread reads or writes this.
    private var scanner = TransportStreamScanner()

    private init(pipeline: GstHandle<GstElement>, sink: GstHandle<GstElement>, parserSource: GstHandle<GstPad>,
                 bus: GstHandle<GstBus>, source: GstHandle<GstElement>?, activity: SourceActivity?, options: Options,
                 onChunk: @escaping @Sendable (MediaChunk) -> Void,
                 onFailure: @escaping @Sendable (MediaError) -> Void) {
        let bin = pipeline.cast(to: GstBin.self)
        // gst_bin_get_by_name returns a full reference, or NULL.
        self.encoder = gst_bin_get_by_name(bin, PipelineDescription.encoderName).map { GstHandle(takingOwnership: $0) }
        self.picture = gst_bin_get_by_name(bin, PipelineDescription.pictureName).map { GstHandle(takingOwnership: $0) }
        self.pipeline = pipeline
        self.sink = sink
        self.parserSource = parserSource
        self.bus = bus
        self.source = source
        self.activity = activity
        self.options = options
        self.onChunk = onChunk
        self.onFailure = onFailure
    }

    /// Builds the pipeline from `description`, sets it PLAYING and starts
    /// reading its bus. Errors found before it plays are thrown; later ones
    /// go to `onFailure`.
    static func launch(description: String, options: Options = Options(),
                       onChunk: @escaping @Sendable (MediaChunk) -> Void,
                       onFailure: @escaping @Sendable (MediaError) -> Void) throws -> PipelineSession {
        let pipeline = try GStreamer.parseLaunch(description)

        let bin = pipeline.cast(to: GstBin.self)
        // gst_bin_get_by_name and gst_element_get_static_pad return full references.
        guard let sinkElement = gst_bin_get_by_name(bin, PipelineDescription.sinkName),
              let parserElement = gst_bin_get_by_name(bin, PipelineDescription.parserName)
        else {
            throw MediaError.pipelineFailed("the pipeline has no \(PipelineDescription.sinkName) or \(PipelineDescription.parserName) element")
        }
        let sink = GstHandle(takingOwnership: sinkElement)
        let parser = GstHandle(takingOwnership: parserElement)
        guard let pad = gst_element_get_static_pad(parser.pointer, "src") else {
            throw MediaError.pipelineFailed("h264parse has no src pad")
        }
        let parserSource = GstHandle(takingOwnership: pad)
        let bus = GstHandle(takingOwnership: ppgst_element_bus(pipeline.pointer))

        if options.clockStamp {
            guard let stamp = gst_bin_get_by_name(bin, PipelineDescription.clockStampName) else {
                throw MediaError.pipelineFailed("the pipeline has no \(PipelineDescription.clockStampName) element")
            }
            let stampElement = GstHandle(takingOwnership: stamp)
            do {
                try ClockStampProbe.install(on: stampElement.pointer)
            } catch let error as MediaError {
                throw error
            } catch {
                throw MediaError.pipelineFailed("the clock stamp could not be installed: \(error)")
            }
        }

        // Regular frame timing whatever the capture's stamps; see FrameGrid.
        if let picture = gst_bin_get_by_name(bin, PipelineDescription.pictureName) {
            try FrameGridProbe().attach(to: GstHandle(takingOwnership: picture))
        }

        var source: GstHandle<GstElement>?
        var activity: SourceActivity?
        if options.capture != .none {
            guard let element = gst_bin_get_by_name(bin, PipelineDescription.sourceName) else {
                throw MediaError.pipelineFailed("the pipeline has no \(PipelineDescription.sourceName) element")
            }
            let capture = GstHandle(takingOwnership: element)
            let probed = SourceActivity()
            try probed.attach(to: capture)
            if case .pipewire = options.capture {
                // A resized window renegotiates its stream; see FrameSizeGuard.
                try PipeWireResizeProbe().attach(to: capture)
            }
            source = capture
            activity = probed
        }

        let session = PipelineSession(pipeline: pipeline, sink: sink, parserSource: parserSource,
                                      bus: bus, source: source, activity: activity, options: options,
                                      onChunk: onChunk, onFailure: onFailure)
        session.attachSinkCallbacks()
        if case let .x11(display, window) = options.capture {
            let token = X11ConnectionGuard.watch(display: display, window: window, observer: session)
            session.state.lock()
            session.x11Token = token
            session.state.unlock()
        }

        if gst_element_set_state(pipeline.pointer, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE {
            let queued = session.takeQueuedError()
            session.state.lock()
            session.phase = .stopping
            session.state.unlock()
            session.finishShutdown(waitForBusReader: false)
            let reason = queued?.text ?? "the pipeline refused to start playing"
            throw session.classify(reason, from: queued?.source)
        }
        session.stallWatch = SourceStallWatch(limits: options.stallLimits, started: PipelineSession.now())
        session.startBusReader()
        return session
    }

    var isRunning: Bool {
        state.lock()
        defer { state.unlock() }
        return phase == .running
    }

    // MARK: - Keyframes

    func requestKeyframe() {
        state.lock()
        guard phase == .running else {
            state.unlock()
            return
        }
        keyUnitCount &+= 1
        let count = keyUnitCount
        state.unlock()
        // FALSE only when nothing upstream took the event (e.g. while the
        // pipeline is shutting down); a missed request just means the viewer
        // waits for the next scheduled keyframe.
        _ = ppgst_pad_send_force_key_unit(parserSource.pointer, 1, count)
    }

    // MARK: - Rate

    /// Sets the encoder's target bitrate while it plays. False when the
    /// pipeline has no named encoder or is not running.
    @discardableResult
    func setVideoBitrate(kbps: Int) -> Bool {
        guard isRunning, let encoder, let kind = options.encoder else { return false }
        let property = kind.bitrateProperty(kbps: kbps)
        ppgst_object_set_uint(UnsafeMutableRawPointer(encoder.pointer), property.name, property.value)
        return true
    }

    /// Changes the encoded size and frame rate while playing: the caps
    /// filter renegotiates, videoscale and videorate follow, and the encoder
    /// restarts with an IDR (SPS/PPS in front), which players follow.
    @discardableResult
    func setPicture(_ picture: VideoPicture) -> Bool {
        guard isRunning, let filter = self.picture else { return false }
        return ppgst_object_set_caps_string(UnsafeMutableRawPointer(filter.pointer), "caps", picture.caps) != 0
    }

    // MARK: - Appsink

    private func attachSinkCallbacks() {
        var callbacks = GstAppSinkCallbacks()
        callbacks.new_sample = newSampleThunk
        // Retained: the appsink may outlive every Swift reference to this
        // session (the streaming thread can be inside a callback while the
        // owner lets go), so it holds its own +1, released by
        // `releaseSessionThunk` when the callbacks are replaced in
        // `detachSinkCallbacks` or the appsink is finalized.
        let userData = Unmanaged.passRetained(self).toOpaque()
        gst_app_sink_set_callbacks(ppgst_as_app_sink(sink.pointer), &callbacks, userData, releaseSessionThunk)
    }

    private func detachSinkCallbacks() {
        var none = GstAppSinkCallbacks()
        gst_app_sink_set_callbacks(ppgst_as_app_sink(sink.pointer), &none, nil, nil)
    }

    /// Runs on the appsink streaming thread: split the bytes at keyframes
    /// into chunks (copying them once) and hand the chunks over. Nothing
    /// here blocks.
    fileprivate func handleSample(_ appsink: UnsafeMutablePointer<GstAppSink>) -> GstFlowReturn {
        // Transfer full; NULL when the appsink is flushing or at EOS.
        guard let sample = gst_app_sink_pull_sample(appsink) else {
            return GST_FLOW_EOS
        }
        defer { ppgst_sample_unref(sample) }
        guard let buffer = ppgst_sample_buffer(sample) else {
            return GST_FLOW_OK
        }
        var map = GstMapInfo()
        guard ppgst_buffer_map_read(buffer, &map) != 0 else {
            return GST_FLOW_OK
        }
        // The chunks are cut and copied straight from the mapped memory: the
        // one copy a media byte gets before QUIC encrypts it.
        let chunks = scanner.split(UnsafeRawBufferPointer(start: map.data, count: map.data == nil ? 0 : Int(map.size)))
        ppgst_buffer_unmap(buffer, &map)
        guard !chunks.isEmpty else { return GST_FLOW_OK }

        for chunk in chunks {
            // Checked per chunk: `onChunk` itself may have called `shutdown`.
            state.lock()
            let delivering = phase == .running
            deliveringThread = delivering ? pthread_self() : nil
            state.unlock()
            guard delivering else { break }
            onChunk(chunk)
        }
        state.lock()
        deliveringThread = nil
        state.unlock()
        return GST_FLOW_OK
    }

    // MARK: - Bus

    private func startBusReader() {
        // The thread's closure holds the session until the thread ends; it
        // then drops `busReader`, which holds the closure, to break that cycle.
        let reader = Thread { [self] in
            readBus()
            state.lock()
            busReader = nil
            state.unlock()
            busReaderFinished.signal()
        }
        reader.name = "pixelpass-gst-bus"
        state.lock()
        busReader = reader
        busReaderStarted = true
        state.unlock()
        reader.start()
    }

    private func readBus() {
        let types = GstMessageType(rawValue: GST_MESSAGE_ERROR.rawValue | GST_MESSAGE_EOS.rawValue
            | GST_MESSAGE_APPLICATION.rawValue)
        while isRunning {
            // Transfer full, or NULL on timeout.
            if let message = gst_bus_timed_pop_filtered(bus.pointer, Self.busPollNanoseconds, types) {
                let type = ppgst_message_type(message)
                if type == GST_MESSAGE_ERROR {
                    report(classify(GStreamer.errorText(message), from: String(cString: ppgst_message_source_name(message))))
                } else if type == GST_MESSAGE_EOS {
                    report(options.capture == .none
                        ? .pipelineFailed("the stream ended unexpectedly")
                        : .sourceLost("the capture source ended its stream"))
                }
                // GST_MESSAGE_APPLICATION: our wakeup; the loop condition decides.
                ppgst_message_unref(message)
            }
            checkSource(now: Self.now())
        }
    }

    /// Reports a source failure found off the bus: an X11 loss handed over
    /// by `X11ConnectionGuard`, or a source that stopped sending frames.
    private func checkSource(now: UInt64) {
        state.lock()
        let pending = pendingSourceLoss
        state.unlock()
        if let pending {
            report(.sourceLost(pending))
            return
        }
        guard let activity, let watch = stallWatch,
              let verdict = watch.check(lastFrame: activity.lastFrame, now: now) else { return }
        report(.sourceLost(stallText(verdict)))
    }

    private func stallText(_ verdict: SourceStallWatch.Verdict) -> String {
        let what: String
        switch options.capture {
        case .none: what = "the source"
        case let .x11(display, _): what = "the X11 capture on \(display)"
        case let .pipewire(node): what = "PipeWire node \(node)"
        }
        switch verdict {
        case let .noFirstFrame(seconds):
            return "\(what) sent no frame within \(seconds) s"
        case let .stopped(seconds):
            if case .pipewire = options.capture {
                return "\(what) has sent no frame for \(seconds) s; it was probably removed"
            }
            return "\(what) has sent no frame for \(seconds) s"
        }
    }

    /// An error from the capture element is the source failing (X server
    /// gone, PipeWire node removed); anything else is a pipeline failure.
    private func classify(_ text: String, from element: String?) -> MediaError {
        if options.capture != .none, element == PipelineDescription.sourceName {
            return .sourceLost(text)
        }
        return .pipelineFailed(text)
    }

    /// Monotonic nanoseconds.
    static func now() -> UInt64 {
        DispatchTime.now().uptimeNanoseconds
    }

    /// Delivers the first failure of this session, and only while running.
    private func report(_ error: MediaError) {
        state.lock()
        let deliver = phase == .running && !reportedFailure
        reportedFailure = reportedFailure || deliver
        state.unlock()
        if deliver {
            onFailure(error)
        }
    }

    /// An error already on the bus, used when the pipeline fails to start
    /// (the bus reader is not running yet): its text and the element that posted it.
    private func takeQueuedError() -> (text: String, source: String)? {
        guard let message = gst_bus_pop_filtered(bus.pointer, GST_MESSAGE_ERROR) else { return nil }
        defer { ppgst_message_unref(message) }
        return (GStreamer.errorText(message), String(cString: ppgst_message_source_name(message)))
    }

    // MARK: - Shutdown

    /// Stops the pipeline. Returns after the pipeline is in the NULL state
    /// and no callback is running or will run, except where waiting would
    /// deadlock: called from `onFailure` (the bus reader) it returns at once,
    /// and called from `onChunk` (a streaming thread, where a state change
    /// to NULL deadlocks) it finishes on a helper thread. In both cases no
    /// further callbacks are delivered.
    func shutdown() {
        state.lock()
        let onBusReader = busReader.map { Thread.current === $0 } ?? false
        let onStreamingThread = deliveringThread.map { pthread_equal($0, pthread_self()) != 0 } ?? false
        switch phase {
        case .running:
            phase = .stopping
            state.unlock()
        case .stopping, .stopped:
            // Someone else is stopping it: wait for them unless that would deadlock.
            if !onBusReader && !onStreamingThread {
                while phase != .stopped {
                    state.wait()
                }
            }
            state.unlock()
            return
        }

        if onStreamingThread {
            Thread { [self] in finishShutdown(waitForBusReader: true) }.start()
        } else {
            finishShutdown(waitForBusReader: !onBusReader)
        }
    }

    private func finishShutdown(waitForBusReader: Bool) {
        state.lock()
        let readerStarted = busReaderStarted
        let token = x11Token
        x11Token = nil
        state.unlock()
        if readerStarted {
            // Post before the NULL state: a pipeline going to NULL flushes its bus.
            _ = ppgst_bus_post_wakeup(bus.pointer, Self.wakeupMessageName)
            if waitForBusReader {
                busReaderFinished.wait()
            }
        }
        state.lock()
        let parked = sourceThreadParked
        state.unlock()
        if parked, let source {
            // Stopping the capture element would wait forever for its parked
            // thread: leave it (and so the pipeline) alive and stop the rest.
            _ = gst_element_set_locked_state(source.pointer, 1)
            AbandonedPipelines.keep(pipeline)
        }
        // Blocks until every streaming thread has left the elements.
        _ = gst_element_set_state(pipeline.pointer, GST_STATE_NULL)
        detachSinkCallbacks()
        if let token {
            X11ConnectionGuard.unwatch(token)
        }
        state.lock()
        phase = .stopped
        state.broadcast()
        state.unlock()
    }
}

// MARK: - X11 losses

extension PipelineSession: X11LossObserver {
    func x11ConnectionLost(display: String) {
        handOverSourceLoss("the X server \(display) closed the connection", parked: true)
    }

    func x11RequestFailed(resource: UInt64, errorCode: UInt8) {
        guard case let .x11(display, window) = options.capture else { return }
        if let window {
            // BadMatch only means the window is partly off screen or
            // minimized for now: ximagesrc keeps its last picture until it
            // is back. A destroyed window is BadWindow or BadDrawable.
            guard resource == window,
                  errorCode == X11ConnectionGuard.badWindow || errorCode == X11ConnectionGuard.badDrawable else { return }
            handOverSourceLoss("the shared window \(X11Window.hex(window)) on \(display) was closed", parked: false)
        } else if errorCode == X11ConnectionGuard.badMatch {
            handOverSourceLoss("the captured area is no longer on the X screen \(display)", parked: false)
        }
    }

    /// Runs on whichever thread hit the X error: record, wake the bus reader.
    private func handOverSourceLoss(_ reason: String, parked: Bool) {
        state.lock()
        if pendingSourceLoss == nil {
            pendingSourceLoss = reason
        }
        sourceThreadParked = sourceThreadParked || parked
        let readerStarted = busReaderStarted
        state.unlock()
        if readerStarted {
            _ = ppgst_bus_post_wakeup(bus.pointer, Self.wakeupMessageName)
        }
    }
}

/// Pipelines whose capture thread can never return (see
/// `X11ConnectionGuard`). They stay referenced for the rest of the process:
/// disposing an element whose thread is still inside it would crash.
enum AbandonedPipelines {
    private static let kept = Mutex<[GstHandle<GstElement>]>([])

    static func keep(_ pipeline: GstHandle<GstElement>) {
        kept.withLock { $0.append(pipeline) }
    }
}

// MARK: - C callbacks

/// GstAppSinkCallbacks.new_sample. `userData` is the session retained in
/// `attachSinkCallbacks`; borrowing it here is safe because that +1 lasts
/// until the callbacks are replaced, which cannot happen during a callback.
private func newSampleThunk(_ appsink: UnsafeMutablePointer<GstAppSink>?, _ userData: gpointer?) -> GstFlowReturn {
    guard let appsink, let userData else { return GST_FLOW_ERROR }
    let session = Unmanaged<PipelineSession>.fromOpaque(userData).takeUnretainedValue()
    return session.handleSample(appsink)
}

/// GDestroyNotify for the appsink's user data: drops the +1 taken in
/// `attachSinkCallbacks`.
private func releaseSessionThunk(_ userData: gpointer?) {
    guard let userData else { return }
    Unmanaged<PipelineSession>.fromOpaque(userData).release()
}
