import Foundation
import XCTest
@testable import PixelpassMedia

/// The real encoder probe on this machine, and keyframes on request from
/// each software encoder.
final class EncoderProbeTests: XCTestCase {
    func testProbeAgreesWithWhatIsInstalled() throws {
        let prober = GStreamerEncoderProber()
        var working: [VideoEncoder] = []
        for encoder in VideoEncoder.allCases {
            let started = Date()
            let result = prober.probe(encoder, bitrateKbps: 2000, keyframeInterval: 60)
            print("\(encoder.name): \(result.reason ?? "works") (\(Int(Date().timeIntervalSince(started) * 1000)) ms)")
            if !GStreamer.hasElement(encoder.name) {
                XCTAssertNotEqual(result, .works, "\(encoder.name) is not registered yet probed as working")
                if !GStreamer.hasPlugin(encoder.pluginName) {
                    XCTAssertEqual(result, .notInstalled(debianPackage: encoder.debianPackage))
                }
            }
            if result == .works { working.append(encoder) }
        }
        // Cached: a second probe is immediate and the same.
        let started = Date()
        XCTAssertEqual(prober.probe(.x264enc, bitrateKbps: 2000, keyframeInterval: 60),
                       working.contains(.x264enc) ? .works : prober.probe(.x264enc, bitrateKbps: 2000, keyframeInterval: 60))
        XCTAssertLessThan(Date().timeIntervalSince(started), 0.05)
        guard !working.isEmpty else { throw XCTSkip("no H.264 encoder works on this machine") }

        let resolved = try MediaPipeline.resolve(MediaSettings(audio: false))
        XCTAssertEqual(resolved.encoder, working[0].name, resolved.summary)
        XCTAssertEqual(resolved.skippedEncoders.count, VideoEncoder.allCases.firstIndex(of: working[0]))
    }

    func testNamedEncoderThatIsNotHereListsTheOnesThatWork() throws {
        guard let absent = VideoEncoder.allCases.first(where: { GStreamerEncoderProber().probe($0, bitrateKbps: 4000, keyframeInterval: 60) != .works }) else {
            throw XCTSkip("every encoder works here")
        }
        XCTAssertThrowsError(try MediaPipeline.resolve(MediaSettings(encoder: .named(absent.name)))) { error in
            guard case let .encoderUnavailable(name, _, _, working) = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertEqual(name, absent.name)
            XCTAssertFalse(working.contains(absent.name))
            print("\(error)")
        }
    }

    /// The force-key-unit event reaches every software encoder.
    func testRequestedKeyframeFromEachSoftwareEncoder() throws {
        for encoder in [VideoEncoder.x264enc, .openh264enc] where GStreamer.hasElement(encoder.name) {
            let pipeline = try MediaPipeline(settings: MediaSettings(encoder: .named(encoder.name), width: 640, height: 360,
                                                                     bitrateKbps: 1000, audio: false))
            XCTAssertEqual(pipeline.resolved.encoder, encoder.name)
            let recorder = ChunkRecorder()
            try pipeline.start(onChunk: recorder.onChunk, onFailure: recorder.onFailure)
            defer { pipeline.stop() }
            XCTAssertTrue(recorder.wait(timeout: 5) { $0.contains(where: \.chunk.isKeyframe) }, "\(encoder.name): no first keyframe")
            let first = try XCTUnwrap(recorder.arrivals.first(where: \.chunk.isKeyframe)).time
            Thread.sleep(forTimeInterval: max(0, first + 0.6 - ProcessInfo.processInfo.systemUptime))
            let requested = ProcessInfo.processInfo.systemUptime
            pipeline.requestKeyframe()
            XCTAssertTrue(recorder.wait(timeout: 1) { $0.contains { $0.chunk.isKeyframe && $0.time > requested } },
                          "\(encoder.name): no keyframe within 1 s of requestKeyframe()")
            if let next = recorder.arrivals.first(where: { $0.chunk.isKeyframe && $0.time > requested }) {
                print("\(encoder.name): requested keyframe after \(Int((next.time - requested) * 1000)) ms")
                XCTAssertLessThan(next.time - requested, 0.3)
            }
            XCTAssertEqual(recorder.failures, [])
        }
    }

    func testClockSourceRunsWithItsStampProbe() throws {
        let settings = MediaSettings(source: .clock, encoder: .automatic(allowHardware: false), width: 640, height: 360, audio: false)
        let pipeline = try MediaPipeline(settings: settings)
        let recorder = ChunkRecorder()
        try pipeline.start(onChunk: recorder.onChunk, onFailure: recorder.onFailure)
        recorder.wait(timeout: 5) { arrivals in
            arrivals.contains(where: \.chunk.isKeyframe) && (arrivals.last?.time ?? 0) - (arrivals.first?.time ?? 0) >= 1
        }
        pipeline.stop()
        XCTAssertEqual(recorder.failures, [])
        let streams = try StreamChecks.probeJoined(recorder.arrivals)
        XCTAssertEqual(streams.map { $0["codec_type"] }, ["video"])
        XCTAssertEqual(streams.first?["width"], "640")
    }
}
