import Foundation
import CGStreamer
import PixelpassMedia

/// The probe's GStreamer pipeline: HTTP → tsdemux → avdec_h264 → appsink,
/// with two pad probes that only note times and byte counts.
///
/// Latency choices (each measured with --pipeline against this chain):
/// - no queue anywhere: demuxing and decoding run on the HTTP source's
///   streaming thread the moment bytes arrive, with no thread hand-off;
/// - no h264parse: it holds every access unit until the next one's start
///   code shows it is complete, one frame interval (measured +33 ms at
///   30 fps). The host's mpegtsmux puts exactly one access unit in each PES
///   and writes its length when it is under 64 KiB, and tsdemux pushes such a
///   PES as soon as it is complete, so capssetter declares the stream
///   AU-aligned and avdec_h264 decodes each buffer as it comes. (A PES over
///   64 KiB, a large keyframe, has no length and waits for the next one.);
/// - avdec_h264 max-threads=1: frame threading delays output by one frame
///   per thread; one 1080p frame decodes in a few ms on one core;
/// - appsink sync=false: a frame is handed over when decoded, never held
///   back for its timestamp.
final class DecodeSession {
    enum Pull {
        case frame(ProbeRecording.Frame)
        case timeout
        case ended
        case failed(String)
    }

    private let pipeline: UnsafeMutablePointer<GstElement>
    private let sinkElement: UnsafeMutablePointer<GstElement>
    private let bus: UnsafeMutablePointer<GstBus>
    private let sourceLog: SourceLog
    private let decoderLog: DecoderInputLog

    static func launchString(url: String, http: ProbeOptions.HTTPSource) -> String {
        let quoted = "\"" + url.replacingOccurrences(of: "\"", with: "%22") + "\""
        let source: String
        switch http {
        case .soup:
            source = "souphttpsrc name=src location=\(quoted) is-live=true keep-alive=false retries=0"
        case .curl:
            source = "curlhttpsrc name=src location=\(quoted)"
        }
        return [
            source,
            "tsdemux name=demux",
            "video/x-h264",
            "capssetter caps=\"video/x-h264,alignment=au\"",
            "avdec_h264 name=dec max-threads=1",
            "appsink name=sink sync=false max-buffers=16 drop=false enable-last-sample=false",
        ].joined(separator: " ! ")
    }

    init(options: ProbeOptions) throws {
        GStreamer.initialize()
        sourceLog = SourceLog(trace: options.verbose)
        decoderLog = DecoderInputLog(trace: options.verbose)
        let description = options.pipeline?.replacingOccurrences(of: "URL", with: options.url)
            ?? Self.launchString(url: options.url, http: options.http)
        var parseError: UnsafeMutablePointer<GError>?
        let launched = gst_parse_launch(description, &parseError)
        if let parseError {
            let message = String(cString: parseError.pointee.message)
            g_error_free(parseError)
            if let launched { gst_object_unref(UnsafeMutableRawPointer(launched)) }
            throw ProbeError("cannot build the decode pipeline: \(message) (needs gstreamer1.0-plugins-good, -bad and -libav)")
        }
        guard let pipeline = ppgst_take_element(launched) else {
            throw ProbeError("cannot build the decode pipeline")
        }
        self.pipeline = pipeline
        let bin = UnsafeMutableRawPointer(pipeline).assumingMemoryBound(to: GstBin.self)
        // Full references, released in deinit / below.
        guard let sink = gst_bin_get_by_name(bin, "sink") else {
            gst_object_unref(UnsafeMutableRawPointer(pipeline))
            throw ProbeError("the decode pipeline has no appsink named sink")
        }
        sinkElement = sink
        bus = ppgst_element_bus(pipeline)
        try attach(sourceLog, to: "src", pad: "src", in: bin, thunk: sourceBufferThunk)
        try attach(decoderLog, to: "dec", pad: "sink", in: bin, thunk: decoderInputThunk)
    }

    deinit {
        gst_element_set_state(pipeline, GST_STATE_NULL)
        gst_object_unref(UnsafeMutableRawPointer(bus))
        gst_object_unref(UnsafeMutableRawPointer(sinkElement))
        gst_object_unref(UnsafeMutableRawPointer(pipeline))
    }

    /// Adds a buffer probe on `element`'s `pad` that hands every buffer to `log`.
    private func attach(_ log: AnyObject, to element: String, pad padName: String,
                        in bin: UnsafeMutablePointer<GstBin>, thunk: GstPadProbeCallback) throws {
        guard let element = gst_bin_get_by_name(bin, element) else { return }
        defer { gst_object_unref(UnsafeMutableRawPointer(element)) }
        guard let pad = gst_element_get_static_pad(element, padName) else {
            throw ProbeError("the decode pipeline's \(element) has no \(padName) pad")
        }
        defer { gst_object_unref(UnsafeMutableRawPointer(pad)) }
        // Retained: the pad holds this +1 until the probe goes with the pad,
        // and returns it through `releaseLogThunk`.
        let userData = Unmanaged.passRetained(log).toOpaque()
        gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, thunk, userData, releaseLogThunk)
    }

    func start() throws {
        if gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE {
            throw ProbeError(pendingError() ?? "the decode pipeline refused to start")
        }
    }

    var receivedBytes: UInt64 { sourceLog.snapshot().bytes }
    var firstByteMicros: UInt64? { sourceLog.snapshot().firstMicros }

    /// Waits up to `timeout` seconds for the next decoded frame.
    func next(timeout: Double) -> Pull {
        if let error = pendingError() {
            return .failed(error)
        }
        let sink = ppgst_as_app_sink(sinkElement)
        guard let sample = gst_app_sink_try_pull_sample(sink, GstClockTime(timeout * 1_000_000_000)) else {
            if let error = pendingError() { return .failed(error) }
            return gst_app_sink_is_eos(sink) != 0 ? .ended : .timeout
        }
        // Taken before anything else: this is "decoded".
        let now = ClockCode.monotonicMicros()
        defer { ppgst_sample_unref(sample) }
        var code: ClockCode?
        var inputMicros: UInt64?
        if let buffer = ppgst_sample_buffer(sample) {
            code = Self.readCode(sample: sample, buffer: buffer)
            inputMicros = decoderLog.take(pts: buffer.pointee.pts)
        }
        return .frame(ProbeRecording.Frame(code: code, decodedMicros: now, decoderInputMicros: inputMicros,
                                           bytesSoFar: sourceLog.snapshot().bytes))
    }

    private static func readCode(sample: OpaquePointer, buffer: UnsafeMutablePointer<GstBuffer>) -> ClockCode? {
        guard let caps = ppgst_sample_caps(sample) else { return nil }
        var info = GstVideoInfo()
        guard gst_video_info_from_caps(&info, caps) != 0 else { return nil }
        var frame = GstVideoFrame()
        guard ppgst_video_frame_map_read(&frame, &info, buffer) != 0 else { return nil }
        defer { gst_video_frame_unmap(&frame) }
        // Plane 0 is luma for every planar YUV and GRAY format a decoder gives.
        let width = Int(ppgst_video_frame_comp_width(&frame, 0))
        let height = Int(ppgst_video_frame_comp_height(&frame, 0))
        let stride = Int(ppgst_video_frame_plane_stride(&frame, 0))
        guard let data = ppgst_video_frame_plane_data(&frame, 0), stride >= width, height > 0 else { return nil }
        let luma = UnsafeRawBufferPointer(start: data, count: stride * (height - 1) + width)
        return ClockCode.read(luma: luma, stride: stride, width: width, height: height)
    }

    /// The first ERROR (or EOS) waiting on the bus, as text.
    private func pendingError() -> String? {
        let types = GstMessageType(rawValue: GST_MESSAGE_ERROR.rawValue | GST_MESSAGE_EOS.rawValue)
        guard let message = gst_bus_pop_filtered(bus, types) else { return nil }
        defer { ppgst_message_unref(message) }
        if ppgst_message_type(message) == GST_MESSAGE_EOS {
            return "the stream ended"
        }
        // PixelpassMedia keeps its GStreamer helpers internal (no C types in
        // its API), so this tool formats the bus error itself.
        var error: UnsafeMutablePointer<GError>?
        var debug: UnsafeMutablePointer<gchar>?
        gst_message_parse_error(message, &error, &debug)
        defer {
            if let error { g_error_free(error) }
            g_free(debug)
        }
        var text = String(cString: ppgst_message_source_name(message)) + ": "
        text += error.map { String(cString: $0.pointee.message) } ?? "unknown error"
        if let debug { text += " (" + String(cString: debug) + ")" }
        return text
    }
}

struct ProbeError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Bytes arriving from the HTTP source. Written on the source's streaming
/// thread, read on the main thread.
final class SourceLog {
    /// Print every arrival on stderr (--verbose), to see how bytes bunch up.
    let trace: Bool
    private let lock = NSLock()
    private var bytes: UInt64 = 0
    private var firstMicros: UInt64?

    init(trace: Bool) {
        self.trace = trace
    }

    func add(_ count: Int, at micros: UInt64) {
        lock.lock()
        bytes += UInt64(count)
        if firstMicros == nil { firstMicros = micros }
        lock.unlock()
        if trace {
            FileHandle.standardError.write(Data("\(micros) http \(count) bytes\n".utf8))
        }
    }

    func snapshot() -> (bytes: UInt64, firstMicros: UInt64?) {
        lock.lock()
        defer { lock.unlock() }
        return (bytes, firstMicros)
    }
}

/// When each access unit entered the decoder, by PTS, so the main thread
/// can tell how long the decoder itself held it.
final class DecoderInputLog {
    /// Print every access unit on stderr (--verbose).
    let trace: Bool
    private let lock = NSLock()
    private var entries: [(pts: GstClockTime, micros: UInt64)] = []

    init(trace: Bool) {
        self.trace = trace
    }

    func add(pts: GstClockTime, size: Int, at micros: UInt64) {
        lock.lock()
        entries.append((pts, micros))
        // Bounded: frames the decoder dropped never get taken.
        if entries.count > 256 { entries.removeFirst(entries.count - 256) }
        lock.unlock()
        if trace {
            FileHandle.standardError.write(Data("\(micros) decoder-in \(size) bytes\n".utf8))
        }
    }

    /// Removes and returns the entry for `pts` and everything older.
    func take(pts: GstClockTime) -> UInt64? {
        lock.lock()
        defer { lock.unlock() }
        guard let index = entries.firstIndex(where: { $0.pts == pts }) else { return nil }
        let micros = entries[index].micros
        entries.removeFirst(index + 1)
        return micros
    }
}

// Pad probe thunks. They capture nothing; `userData` is the log retained in
// `DecodeSession.attach`, borrowed here. They only note a time and a size.

private func sourceBufferThunk(_ pad: UnsafeMutablePointer<GstPad>?, _ info: UnsafeMutablePointer<GstPadProbeInfo>?,
                               _ userData: gpointer?) -> GstPadProbeReturn {
    guard let info, let userData, let buffer = ppgst_pad_probe_info_buffer(info) else { return GST_PAD_PROBE_OK }
    let log = Unmanaged<SourceLog>.fromOpaque(userData).takeUnretainedValue()
    log.add(Int(ppgst_buffer_get_size(buffer)), at: ClockCode.monotonicMicros())
    return GST_PAD_PROBE_OK
}

private func decoderInputThunk(_ pad: UnsafeMutablePointer<GstPad>?, _ info: UnsafeMutablePointer<GstPadProbeInfo>?,
                               _ userData: gpointer?) -> GstPadProbeReturn {
    guard let info, let userData, let buffer = ppgst_pad_probe_info_buffer(info) else { return GST_PAD_PROBE_OK }
    let log = Unmanaged<DecoderInputLog>.fromOpaque(userData).takeUnretainedValue()
    log.add(pts: buffer.pointee.pts, size: Int(ppgst_buffer_get_size(buffer)), at: ClockCode.monotonicMicros())
    return GST_PAD_PROBE_OK
}

/// GDestroyNotify for both probes: gives back the reference `attach` took.
private func releaseLogThunk(_ userData: gpointer?) {
    guard let userData else { return }
    Unmanaged<AnyObject>.fromOpaque(userData).release()
}
