import Foundation
internal import CGStreamer

/// One running GstPipeline, from `gst_parse_launch` to the NULL state.
/// `MediaPipeline` makes a new session for every `start`.
///
/// Threads:
/// - the appsink streaming thread runs `handleSample` (via `newSampleThunk`)
///   and is the only thread that touches `scanner`;
/// - a bus reader thread turns bus errors into `onFailure`;
/// - any thread may call `requestKeyframe` and `shutdown`.
/// `state` (an NSCondition) guards every other mutable field.
final class PipelineSession: @unchecked Sendable {
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

    /// Only the appsink streaming thread reads or writes this.
    private var scanner = TransportStreamScanner()

    private init(pipeline: GstHandle<GstElement>, sink: GstHandle<GstElement>, parserSource: GstHandle<GstPad>,
                 bus: GstHandle<GstBus>, onChunk: @escaping @Sendable (MediaChunk) -> Void,
                 onFailure: @escaping @Sendable (MediaError) -> Void) {
        self.pipeline = pipeline
        self.sink = sink
        self.parserSource = parserSource
        self.bus = bus
        self.onChunk = onChunk
        self.onFailure = onFailure
    }

    /// Builds the pipeline from `description`, sets it PLAYING and starts
    /// reading its bus. Errors found before it plays are thrown; later ones
    /// go to `onFailure`.
    static func launch(description: String, onChunk: @escaping @Sendable (MediaChunk) -> Void,
                       onFailure: @escaping @Sendable (MediaError) -> Void) throws -> PipelineSession {
        GStreamer.initialize()
        var parseError: UnsafeMutablePointer<GError>?
        let launched = gst_parse_launch(description, &parseError)
        // gst_parse_launch may return a pipeline and a (recoverable) error
        // together; take the reference either way so it is released.
        let pipeline = launched.map { GstHandle(takingOwnership: ppgst_take_element($0)) }
        if let parseError {
            let message = String(cString: parseError.pointee.message)
            g_error_free(parseError)
            throw MediaError.pipelineFailed(message)
        }
        guard let pipeline else {
            throw MediaError.pipelineFailed("gst_parse_launch returned no pipeline")
        }

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
        let bus = GstHandle(takingOwnership: ppgst_element_bus(pipeline.pointer))

        let session = PipelineSession(pipeline: pipeline, sink: sink, parserSource: GstHandle(takingOwnership: pad),
                                      bus: bus, onChunk: onChunk, onFailure: onFailure)
        session.attachSinkCallbacks()

        if gst_element_set_state(pipeline.pointer, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE {
            let reason = session.takeQueuedError() ?? "the pipeline refused to start playing"
            session.state.lock()
            session.phase = .stopping
            session.state.unlock()
            session.finishShutdown(waitForBusReader: false)
            throw MediaError.pipelineFailed(reason)
        }
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

    /// Runs on the appsink streaming thread: copy the bytes out, split them
    /// at keyframes and hand the chunks over. Nothing here blocks.
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
        let bytes = map.data.map { Array(UnsafeBufferPointer(start: $0, count: Int(map.size))) } ?? []
        ppgst_buffer_unmap(buffer, &map)

        let chunks = scanner.split(bytes)
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
            guard let message = gst_bus_timed_pop_filtered(bus.pointer, Self.busPollNanoseconds, types) else {
                continue
            }
            defer { ppgst_message_unref(message) }
            let type = ppgst_message_type(message)
            if type == GST_MESSAGE_ERROR {
                report(.pipelineFailed(Self.errorText(message)))
            } else if type == GST_MESSAGE_EOS {
                report(.pipelineFailed("the stream ended unexpectedly"))
            }
            // GST_MESSAGE_APPLICATION: our wakeup; the loop condition decides.
        }
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
    /// (the bus reader is not running yet).
    private func takeQueuedError() -> String? {
        guard let message = gst_bus_pop_filtered(bus.pointer, GST_MESSAGE_ERROR) else { return nil }
        defer { ppgst_message_unref(message) }
        return Self.errorText(message)
    }

    /// "element: message (debug details)" from an ERROR message.
    private static func errorText(_ message: UnsafeMutablePointer<GstMessage>) -> String {
        var error: UnsafeMutablePointer<GError>?
        var debug: UnsafeMutablePointer<gchar>?
        gst_message_parse_error(message, &error, &debug)
        defer {
            if let error { g_error_free(error) }
            g_free(debug)
        }
        var text = String(cString: ppgst_message_source_name(message)) + ": "
        text += error.map { String(cString: $0.pointee.message) } ?? "unknown error"
        if let debug {
            text += " (" + String(cString: debug) + ")"
        }
        return text
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
        state.unlock()
        if readerStarted {
            // Post before the NULL state: a pipeline going to NULL flushes its bus.
            _ = ppgst_bus_post_wakeup(bus.pointer, Self.wakeupMessageName)
            if waitForBusReader {
                busReaderFinished.wait()
            }
        }
        // Blocks until every streaming thread has left the elements.
        _ = gst_element_set_state(pipeline.pointer, GST_STATE_NULL)
        detachSinkCallbacks()
        state.lock()
        phase = .stopped
        state.broadcast()
        state.unlock()
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
