import Foundation
import XCTest
import CGStreamer
import PixelpassMedia

/// ClockStampProbe in a real pipeline: stamp raw frames, encode with x264,
/// decode with libav and read the codes back from the decoded pictures.
/// Needs gstreamer1.0-plugins-ugly (x264enc), -bad (h264parse) and -libav.
final class ClockCodeStampTests: XCTestCase {
    func testStampedFramesSurviveX264AndDecode() throws {
        let start = ClockCode.monotonicMicros()
        let reads = try runStampedPipeline(
            "videotestsrc is-live=true pattern=black num-buffers=30"
                + " ! video/x-raw,format=I420,width=640,height=360,framerate=30/1"
                + " ! identity name=stamp"
                + " ! x264enc tune=zerolatency speed-preset=ultrafast bitrate=1000 key-int-max=60 bframes=0"
                + " ! h264parse ! avdec_h264 ! appsink name=sink sync=false")
        assertStamped(reads, frames: 30, after: start)
    }

    func testStampedFramesSurviveScalingToGray() throws {
        let start = ClockCode.monotonicMicros()
        let reads = try runStampedPipeline(
            "videotestsrc is-live=true pattern=black num-buffers=20"
                + " ! video/x-raw,format=I420,width=1280,height=720,framerate=30/1"
                + " ! identity name=stamp"
                + " ! x264enc tune=zerolatency speed-preset=ultrafast bitrate=1000 key-int-max=60 bframes=0"
                + " ! h264parse ! avdec_h264 ! videoscale ! videoconvert"
                + " ! video/x-raw,format=GRAY8,width=426,height=240 ! appsink name=sink sync=false")
        assertStamped(reads, frames: 20, after: start)
    }

    /// Snow below the code band makes every frame expensive, so at 1 Mbit/s
    /// x264 quantizes hard and the code must still read.
    func testStampedFramesSurviveABusyPictureAt1Mbps() throws {
        let start = ClockCode.monotonicMicros()
        let reads = try runStampedPipeline(
            "videotestsrc is-live=true pattern=snow num-buffers=60"
                + " ! video/x-raw,format=I420,width=1280,height=720,framerate=30/1"
                + " ! identity name=stamp"
                + " ! x264enc tune=zerolatency speed-preset=ultrafast bitrate=1000 key-int-max=60 bframes=0"
                + " ! h264parse ! avdec_h264 ! appsink name=sink sync=false")
        assertStamped(reads, frames: 60, after: start)
    }

    func testInstallWithoutSourcePadThrows() throws {
        GStreamer.initialize()
        let sink = try XCTUnwrap(gst_element_factory_make("fakesink", nil))
        gst_object_ref_sink(UnsafeMutableRawPointer(sink))
        defer { gst_object_unref(UnsafeMutableRawPointer(sink)) }
        XCTAssertThrowsError(try ClockStampProbe.install(on: sink))
    }

    private struct Read {
        var code: ClockCode?
        var decodedAt: UInt64
    }

    private func assertStamped(_ reads: [Read], frames: Int, after start: UInt64,
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(reads.count, frames, "decoded frame count", file: file, line: line)
        let codes = reads.compactMap(\.code)
        XCTAssertEqual(codes.count, reads.count, "some decoded frames had no readable code", file: file, line: line)
        XCTAssertEqual(codes.map(\.frame), (0..<UInt32(codes.count)).map { $0 },
                       "frame counters must count up from 0 without gaps", file: file, line: line)
        for read in reads {
            guard let code = read.code else { continue }
            XCTAssertGreaterThanOrEqual(code.timeMicros, start, "stamped before the test began", file: file, line: line)
            XCTAssertLessThanOrEqual(code.timeMicros, read.decodedAt, "stamped after it was decoded", file: file, line: line)
            XCTAssertLessThan(read.decodedAt - code.timeMicros, 2_000_000, "capture→decoded over 2 s", file: file, line: line)
        }
        let times = codes.map(\.timeMicros)
        XCTAssertEqual(times, times.sorted(), "capture times must increase", file: file, line: line)
    }

    /// Runs `description` (with an identity named `stamp` and an appsink
    /// named `sink`) to EOS and reads the code from every decoded frame.
    private func runStampedPipeline(_ description: String) throws -> [Read] {
        GStreamer.initialize()
        var error: UnsafeMutablePointer<GError>?
        let parsed = gst_parse_launch(description, &error)
        if let error {
            let message = String(cString: error.pointee.message)
            g_error_free(error)
            if let parsed { gst_object_unref(UnsafeMutableRawPointer(parsed)) }
            throw XCTSkip("cannot build the test pipeline (\(message)); install gstreamer1.0-plugins-ugly, -bad and -libav")
        }
        let pipeline = try XCTUnwrap(ppgst_take_element(parsed))
        defer {
            gst_element_set_state(pipeline, GST_STATE_NULL)
            gst_object_unref(UnsafeMutableRawPointer(pipeline))
        }
        let bin = UnsafeMutableRawPointer(pipeline).assumingMemoryBound(to: GstBin.self)
        let stamp = try XCTUnwrap(gst_bin_get_by_name(bin, "stamp"))
        defer { gst_object_unref(UnsafeMutableRawPointer(stamp)) }
        try ClockStampProbe.install(on: stamp)
        let sinkElement = try XCTUnwrap(gst_bin_get_by_name(bin, "sink"))
        defer { gst_object_unref(UnsafeMutableRawPointer(sinkElement)) }
        let sink = ppgst_as_app_sink(sinkElement)

        XCTAssertNotEqual(gst_element_set_state(pipeline, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE)
        var reads: [Read] = []
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            guard let sample = gst_app_sink_try_pull_sample(sink, 1_000_000_000) else {
                if gst_app_sink_is_eos(sink) != 0 { break }
                continue
            }
            let decodedAt = ClockCode.monotonicMicros()
            reads.append(Read(code: readCode(sample), decodedAt: decodedAt))
            ppgst_sample_unref(sample)
        }
        return reads
    }

    private func readCode(_ sample: OpaquePointer) -> ClockCode? {
        guard let caps = ppgst_sample_caps(sample), let buffer = ppgst_sample_buffer(sample) else { return nil }
        var info = GstVideoInfo()
        guard gst_video_info_from_caps(&info, caps) != 0 else { return nil }
        var frame = GstVideoFrame()
        guard ppgst_video_frame_map_read(&frame, &info, buffer) != 0 else { return nil }
        defer { gst_video_frame_unmap(&frame) }
        let width = Int(ppgst_video_frame_comp_width(&frame, 0))
        let height = Int(ppgst_video_frame_comp_height(&frame, 0))
        let stride = Int(ppgst_video_frame_plane_stride(&frame, 0))
        guard let data = ppgst_video_frame_plane_data(&frame, 0) else { return nil }
        let luma = UnsafeRawBufferPointer(start: data, count: stride * (height - 1) + width)
        return ClockCode.read(luma: luma, stride: stride, width: width, height: height)
    }
}
