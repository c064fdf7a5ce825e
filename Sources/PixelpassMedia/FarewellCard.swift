internal import CGStreamer

/// A few seconds of a still picture with one line of text ("The host ended
/// the share"), with silent audio, as MPEG-TS made the way the host makes
/// its stream (H.264 + AAC in mpegtsmux), so `TransportStreamSplice` can
/// append it to a stream a player is showing. Rendered in-process with
/// GStreamer, once per text: a black 10 fps picture costs a fraction of a
/// second to encode.
public enum FarewellCard {
    public static let seconds = 3
    static let fps = 10

    /// Blocks while GStreamer encodes (call it off any event loop).
    public static func render(text: String, width: Int, height: Int) throws -> [UInt8] {
        // Even sizes for 4:2:0; a sane floor and ceiling for a still picture.
        let w = max(160, min(width, 1920)) & ~1
        let h = max(90, min(height, 1080)) & ~1
        guard let encoder = ["x264enc", "openh264enc"].first(where: GStreamer.hasElement) else {
            throw MediaError.missingElement(name: "x264enc", debianPackage: "gstreamer1.0-plugins-ugly")
        }
        guard let audioEncoder = ["avenc_aac", "voaacenc"].first(where: GStreamer.hasElement) else {
            throw MediaError.missingElement(name: "avenc_aac", debianPackage: "gstreamer1.0-libav")
        }
        for element in ["videotestsrc", "textoverlay", "audiotestsrc", "h264parse", "aacparse", "mpegtsmux"]
        where !GStreamer.hasElement(element) {
            throw MediaError.missingElement(name: element, debianPackage: element == "textoverlay" ? "gstreamer1.0-plugins-base" : "gstreamer1.0-plugins-good")
        }
        let encoderSettings = encoder == "x264enc"
            ? "x264enc speed-preset=ultrafast tune=zerolatency key-int-max=\(fps)"
            : "openh264enc gop-size=\(fps)"
        // Quotes would end the property in the launch description.
        let line = text.replacingOccurrences(of: "\"", with: "'")
        let fontSize = max(12, h / 16)
        let audioBuffers = seconds * 48_000 / 1024
        let description = [
            "videotestsrc pattern=black num-buffers=\(seconds * fps)",
            "video/x-raw,width=\(w),height=\(h),framerate=\(fps)/1",
            "textoverlay text=\"\(line)\" valignment=center halignment=center font-desc=\"Sans \(fontSize)\" shaded-background=false",
            "videoconvert", encoderSettings, "h264parse config-interval=-1", "queue",
        ].joined(separator: " ! ") + " ! mux.  " + [
            "audiotestsrc wave=silence num-buffers=\(audioBuffers) samplesperbuffer=1024",
            "audio/x-raw,rate=48000,channels=2", "audioconvert", audioEncoder, "aacparse", "queue",
        ].joined(separator: " ! ") + " ! mux.  mpegtsmux name=mux ! appsink name=card sync=false"
        return try collect(description)
    }

    private static func collect(_ description: String) throws -> [UInt8] {
        let pipeline = try GStreamer.parseLaunch(description)
        let bus = GstHandle(takingOwnership: ppgst_element_bus(pipeline.pointer))
        defer { _ = gst_element_set_state(pipeline.pointer, GST_STATE_NULL) }
        // gst_bin_get_by_name returns a full reference, or NULL.
        guard let sinkElement = gst_bin_get_by_name(pipeline.cast(to: GstBin.self), "card") else {
            throw MediaError.pipelineFailed("the card pipeline has no appsink")
        }
        let sink = GstHandle(takingOwnership: sinkElement)
        guard gst_element_set_state(pipeline.pointer, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE else {
            throw MediaError.pipelineFailed(busError(bus) ?? "the card pipeline did not start")
        }
        var bytes: [UInt8] = []
        let appsink = ppgst_as_app_sink(sink.pointer)
        // Transfer full; NULL at EOS, on error (nothing more comes) or after 5 s.
        while let sample = gst_app_sink_try_pull_sample(appsink, 5_000_000_000) {
            defer { ppgst_sample_unref(sample) }
            guard let buffer = ppgst_sample_buffer(sample) else { continue }
            var map = GstMapInfo()
            guard ppgst_buffer_map_read(buffer, &map) != 0 else { continue }
            if let data = map.data { bytes += UnsafeRawBufferPointer(start: data, count: Int(map.size)) }
            ppgst_buffer_unmap(buffer, &map)
        }
        guard gst_app_sink_is_eos(appsink) != 0 else {
            throw MediaError.pipelineFailed(busError(bus) ?? "the card pipeline stopped before its end")
        }
        return bytes
    }

    private static func busError(_ bus: GstHandle<GstBus>) -> String? {
        gst_bus_pop_filtered(bus.pointer, GST_MESSAGE_ERROR).map { message in
            defer { ppgst_message_unref(message) }
            return GStreamer.errorText(message)
        }
    }
}
