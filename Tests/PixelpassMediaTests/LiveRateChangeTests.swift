import Foundation
import XCTest
import PixelpassMedia

/// The host's rate controller changes the running encoder's bitrate, and the
/// picture's size and frame rate, without restarting the pipeline. Checked
/// on the real pipeline for each software encoder installed here, as a
/// player would see the result: ffmpeg decodes the whole stream without an
/// error, and the rate and the picture really change.
final class LiveRateChangeTests: XCTestCase {
    func testX264TakesANewBitrateAndPictureWhilePlaying() throws {
        try checkLiveChanges(encoder: "x264enc")
    }

    func testOpenH264TakesANewBitrateAndPictureWhilePlaying() throws {
        try checkLiveChanges(encoder: "openh264enc")
    }

    private func checkLiveChanges(encoder: String) throws {
        var settings = MediaSettings(encoder: .named(encoder), fps: 30, bitrateKbps: 3000, audio: false)
        settings.width = 640
        settings.height = 360
        let pipeline: MediaPipeline
        do {
            pipeline = try MediaPipeline(settings: settings)
        } catch MediaError.encoderUnavailable(_, let reason, _, _) {
            throw XCTSkip("\(encoder) cannot run here: \(reason)")
        }
        XCTAssertEqual(pipeline.nominalPicture, VideoPicture(width: 640, height: 360, fps: 30))
        let recorder = ChunkRecorder()
        try pipeline.start(onChunk: recorder.onChunk, onFailure: recorder.onFailure)
        Thread.sleep(forTimeInterval: 3)
        let switchTime = ProcessInfo.processInfo.systemUptime
        pipeline.setVideoBitrate(kbps: 300)
        pipeline.setPicture(VideoPicture(width: 426, height: 240, fps: 15))
        Thread.sleep(forTimeInterval: 4)
        pipeline.stop()

        XCTAssertEqual(recorder.failures, [], "changing the rate or picture broke the pipeline")
        let arrivals = recorder.arrivals
        func kbps(_ from: Double, _ to: Double) -> Double {
            let bytes = arrivals.filter { $0.time >= from && $0.time < to }.reduce(0) { $0 + $1.chunk.bytes.count }
            return Double(bytes) * 8 / (to - from) / 1000
        }
        let before = kbps(switchTime - 2, switchTime)
        let after = kbps(switchTime + 2, switchTime + 4)
        print("\(encoder): \(Int(before)) kbit/s before, \(Int(after)) kbit/s after asking for 300")
        XCTAssertLessThan(after, before * 0.5, "\(encoder) kept its old bitrate (\(Int(before)) → \(Int(after)) kbit/s)")

        let joined = try XCTUnwrap(StreamChecks.joinAtFirstKeyframe(arrivals))
        let file = try StreamChecks.writeTemporary(StreamChecks.endingAtCompletePES(joined))
        defer { try? FileManager.default.removeItem(at: file) }
        let decode = try StreamChecks.run("ffmpeg", ["-nostdin", "-v", "error", "-i", file.path, "-f", "null", "-"])
        XCTAssertEqual(decode.output + decode.errors, "", "ffmpeg found errors across the change")
        let frames = try StreamChecks.run("ffprobe", ["-v", "error", "-select_streams", "v", "-show_entries",
                                                      "frame=width,height", "-of", "csv=p=0", file.path])
        // Some frames print a trailing separator (side data): drop it.
        let sizes = frames.output.split(separator: "\n").map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: ",")) }
        XCTAssertEqual(sizes.first, "640,360")
        XCTAssertEqual(sizes.last, "426,240", "the picture did not shrink")
        let small = sizes.filter { $0 == "426,240" }.count
        // 4 s at 15 fps is 60 frames; at 30 fps it would be 120.
        XCTAssertLessThan(small, 80, "the frame rate did not drop (\(small) small frames in 4 s)")
        XCTAssertGreaterThan(small, 40)
    }
}
