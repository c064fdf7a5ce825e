import Foundation
import XCTest
import PixelpassMedia

/// Runs the real GStreamer pipeline and checks its output with ffprobe and
/// ffmpeg, as a player would see it. Needs the GStreamer plugins from
/// DESIGN.md §6 and the `ffmpeg` Debian package.
final class MediaPipelineTests: XCTestCase {
    func testStreamPlaysFromAKeyframeWithVideoAndAudio() throws {
        let pipeline = try MediaPipeline(settings: MediaSettings())
        let recorder = ChunkRecorder()
        try pipeline.start(onChunk: recorder.onChunk, onFailure: recorder.onFailure)
        Thread.sleep(forTimeInterval: 3)
        pipeline.stop()

        XCTAssertEqual(recorder.failures, [])
        let arrivals = recorder.arrivals
        XCTAssertGreaterThan(arrivals.count, 10, "the pipeline delivered almost nothing in 3 s")
        XCTAssertTrue(arrivals.allSatisfy { $0.chunk.bytes.count % 188 == 0 && !$0.chunk.bytes.isEmpty },
                      "chunks must hold whole TS packets")
        let keyframes = arrivals.filter(\.chunk.isKeyframe)
        XCTAssertGreaterThanOrEqual(keyframes.count, 1, "no keyframe in 3 s (key-int-max is 2 s)")
        XCTAssertTrue(arrivals.allSatisfy { $0.chunk.isKeyframe || $0.chunk.programTables.isEmpty })
        report(arrivals)

        let joined = try XCTUnwrap(joinAtFirstKeyframe(arrivals))
        var scanner = TransportStreamScanner()
        let firstPackets = (0 ..< 3).map { scanner.inspect(joined[$0 * 188 ..< ($0 + 1) * 188]) }
        XCTAssertEqual(firstPackets, [.programAssociationTable, .programMapTable, .videoKeyframeStart],
                       "a joining viewer must get PAT, PMT, then the IDR")
        let file = try writeTemporary(endingAtCompletePES(joined))
        defer { try? FileManager.default.removeItem(at: file) }

        let streams = try probeStreams(file)
        let video = try XCTUnwrap(streams.first { $0["codec_type"] == "video" }, "no video stream in \(streams)")
        XCTAssertEqual(video["codec_name"], "h264")
        XCTAssertEqual(video["width"], "1280")
        XCTAssertEqual(video["height"], "720")
        let audio = try XCTUnwrap(streams.first { $0["codec_type"] == "audio" }, "no audio stream in \(streams)")
        XCTAssertEqual(audio["codec_name"], "aac")

        let decodeErrors = try run("ffmpeg", ["-nostdin", "-v", "error", "-i", file.path, "-f", "null", "-"])
        XCTAssertEqual(decodeErrors.output + decodeErrors.errors, "", "ffmpeg reported errors decoding the joined stream")
        XCTAssertEqual(decodeErrors.status, 0)
    }

    func testVideoOnlyStreamHasNoAudio() throws {
        let pipeline = try MediaPipeline(settings: MediaSettings(audio: false))
        let recorder = ChunkRecorder()
        try pipeline.start(onChunk: recorder.onChunk, onFailure: recorder.onFailure)
        // The first keyframe comes at once; give the GOP a second to follow.
        recorder.wait(timeout: 5) { $0.contains(where: \.chunk.isKeyframe) }
        Thread.sleep(forTimeInterval: 1)
        pipeline.stop()

        XCTAssertEqual(recorder.failures, [])
        let joined = try XCTUnwrap(joinAtFirstKeyframe(recorder.arrivals))
        let file = try writeTemporary(joined)
        defer { try? FileManager.default.removeItem(at: file) }
        let streams = try probeStreams(file)
        XCTAssertEqual(streams.map { $0["codec_type"] }, ["video"])
    }

    func testRequestedKeyframeArrivesQuickly() throws {
        let pipeline = try MediaPipeline(settings: MediaSettings(audio: false))
        let recorder = ChunkRecorder()
        try pipeline.start(onChunk: recorder.onChunk, onFailure: recorder.onFailure)
        defer { pipeline.stop() }
        XCTAssertTrue(recorder.wait(timeout: 5) { $0.contains(where: \.chunk.isKeyframe) }, "no first keyframe")
        let first = try XCTUnwrap(recorder.arrivals.first(where: \.chunk.isKeyframe)).time
        // Ask well inside the 2 s GOP, so a scheduled keyframe cannot pass for ours.
        Thread.sleep(forTimeInterval: max(0, first + 0.6 - ProcessInfo.processInfo.systemUptime))
        let requested = ProcessInfo.processInfo.systemUptime
        pipeline.requestKeyframe()

        let arrived = recorder.wait(timeout: 1) { $0.contains { $0.chunk.isKeyframe && $0.time > requested } }
        XCTAssertTrue(arrived, "no keyframe within 1 s of requestKeyframe()")
        let next = try XCTUnwrap(recorder.arrivals.first { $0.chunk.isKeyframe && $0.time > requested })
        let delay = next.time - requested
        print("requested keyframe arrived after \(Int(delay * 1000)) ms")
        XCTAssertLessThan(delay, 0.3, "requested keyframe took \(Int(delay * 1000)) ms")
    }

    func testStartStopStartAndStopTwice() throws {
        let pipeline = try MediaPipeline(settings: MediaSettings(width: 640, height: 360, bitrateKbps: 1000))
        pipeline.stop() // before any start: nothing to do

        let first = ChunkRecorder()
        try pipeline.start(onChunk: first.onChunk, onFailure: first.onFailure)
        XCTAssertThrowsError(try pipeline.start(onChunk: { _ in }, onFailure: { _ in })) { error in
            XCTAssertEqual(error as? MediaError, .alreadyRunning)
        }
        XCTAssertTrue(first.wait(timeout: 5) { $0.contains(where: \.chunk.isKeyframe) }, "first run: no keyframe")
        pipeline.stop()
        let countAfterStop = first.arrivals.count
        pipeline.stop()
        Thread.sleep(forTimeInterval: 0.3)
        XCTAssertEqual(first.arrivals.count, countAfterStop, "a chunk arrived after stop() returned")

        let second = ChunkRecorder()
        try pipeline.start(onChunk: second.onChunk, onFailure: second.onFailure)
        XCTAssertTrue(second.wait(timeout: 5) { $0.contains(where: \.chunk.isKeyframe) }, "second run: no keyframe")
        pipeline.stop()
        pipeline.stop()
        pipeline.requestKeyframe() // stopped: does nothing
        XCTAssertEqual(first.failures + second.failures, [])
    }

    func testStopFromInsideOnChunkDoesNotDeadlock() throws {
        let pipeline = try MediaPipeline(settings: MediaSettings(width: 320, height: 240, bitrateKbps: 500, audio: false))
        let recorder = ChunkRecorder()
        let record = recorder.onChunk
        try pipeline.start(onChunk: { chunk in
            record(chunk)
            pipeline.stop()
        }, onFailure: recorder.onFailure)
        XCTAssertTrue(recorder.wait(timeout: 5) { !$0.isEmpty })
        pipeline.stop() // waits for nothing: the session is already gone
        Thread.sleep(forTimeInterval: 0.3)
        XCTAssertEqual(recorder.arrivals.count, 1, "chunks kept coming after stop() inside onChunk")
    }

    // MARK: - Helpers

    private func joinAtFirstKeyframe(_ arrivals: [ChunkRecorder.Arrival]) -> [UInt8]? {
        StreamChecks.joinAtFirstKeyframe(arrivals)
    }

    private func endingAtCompletePES(_ stream: [UInt8]) -> [UInt8] {
        StreamChecks.endingAtCompletePES(stream)
    }

    private func report(_ arrivals: [ChunkRecorder.Arrival]) {
        guard let first = arrivals.first, let last = arrivals.last, last.time > first.time else { return }
        let sizes = arrivals.map(\.chunk.bytes.count)
        let seconds = last.time - first.time
        let bytes = sizes.reduce(0, +)
        var histogram: [Int: Int] = [:]
        for size in sizes { histogram[size, default: 0] += 1 }
        let common = histogram.sorted { $0.value > $1.value }.prefix(4).map { "\($0.key) B ×\($0.value)" }
        print("chunks: \(arrivals.count) in \(String(format: "%.2f", seconds)) s "
            + "(\(Int(Double(arrivals.count) / seconds))/s, \(Int(Double(bytes) * 8 / seconds / 1000)) kbit/s); "
            + "keyframes: \(arrivals.filter(\.chunk.isKeyframe).count); common sizes: \(common.joined(separator: ", "))")
    }

    private func writeTemporary(_ bytes: [UInt8]) throws -> URL {
        try StreamChecks.writeTemporary(bytes)
    }

    private func probeStreams(_ file: URL) throws -> [[String: String]] {
        try StreamChecks.probeStreams(file)
    }

    private func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        try StreamChecks.run(tool, arguments)
    }
}
