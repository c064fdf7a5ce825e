import Foundation
import XCTest
@testable import PixelpassMedia

/// Real PipeWire capture: a private PipeWire + WirePlumber + pipewire-pulse
/// under `dbus-run-session` (packages dbus-daemon, pipewire-bin, wireplumber,
/// pipewire-pulse, pulseaudio-utils, gstreamer1.0-pipewire,
/// gstreamer1.0-tools), a synthetic video node from `pipewiresink`, and a
/// tone playing into the default sink.
final class PipeWireCaptureTests: XCTestCase {
    /// Shared by the tests of this class; their own runtime directory, so
    /// nothing reaches a PipeWire the machine may already run.
    // nonisolated(unsafe): XCTest runs a class's tests and its class tearDown on one thread.
    nonisolated(unsafe) private static var daemons: SpawnedProcess?
    nonisolated(unsafe) private static var tone: SpawnedProcess?
    nonisolated(unsafe) private static var runtime: URL?
    nonisolated(unsafe) private static var savedEnvironment: [String: String?] = [:]
    private static let variables = ["XDG_RUNTIME_DIR", "PIPEWIRE_RUNTIME_DIR", "PULSE_SERVER"]

    private var provider: SpawnedProcess?

    override class func tearDown() {
        tone?.stop()
        daemons?.stop()
        tone = nil
        daemons = nil
        for (name, value) in savedEnvironment {
            if let value { setenv(name, value, 1) } else { unsetenv(name) }
        }
        savedEnvironment = [:]
        if let runtime { try? FileManager.default.removeItem(at: runtime) }
        runtime = nil
        super.tearDown()
    }

    override func tearDown() {
        provider?.stop()
        provider = nil
        super.tearDown()
    }

    /// Starts the daemons once, and points this process (GStreamer's
    /// pipewiresrc and pulsesrc, and the pw-dump and pactl that resolve
    /// runs) at them.
    private func startDaemons() throws {
        if Self.daemons != nil { return }
        for (tool, package) in [("pipewire", "pipewire-bin"), ("wireplumber", "wireplumber"), ("pipewire-pulse", "pipewire-pulse"),
                                ("pw-dump", "pipewire-bin"), ("pactl", "pulseaudio-utils"), ("gst-launch-1.0", "gstreamer1.0-tools")]
        where SpawnedProcess.locate(tool) == nil {
            throw XCTSkip("\(tool) is not installed; install the Debian package '\(package)' to run this test")
        }
        guard GStreamer.hasElement("pipewiresrc") else {
            throw XCTSkip("pipewiresrc is missing; install the Debian package 'gstreamer1.0-pipewire' to run this test")
        }
        let runtime = FileManager.default.temporaryDirectory.appendingPathComponent("pixelpass-pw-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: runtime, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        Self.runtime = runtime
        for name in Self.variables {
            Self.savedEnvironment[name] = ProcessInfo.processInfo.environment[name]
        }
        setenv("XDG_RUNTIME_DIR", runtime.path, 1)
        setenv("PIPEWIRE_RUNTIME_DIR", runtime.path, 1)
        unsetenv("PULSE_SERVER")

        let script = "pipewire & sleep 0.3; wireplumber & pipewire-pulse & wait"
        Self.daemons = try SpawnedProcess("dbus-run-session", ["--", "sh", "-c", script], package: "dbus-daemon",
                                          output: runtime.appendingPathComponent("daemons.log"))
        let ready = SpawnedProcess.waitUntil(timeout: 10) {
            SpawnedProcess.run("pactl", ["get-default-sink"]).status == 0
                && ((try? CommandLinePipeWireInventory().nodes())?.contains { $0.mediaClass == "Audio/Sink" } ?? false)
        }
        guard ready else {
            let log = (try? String(contentsOf: runtime.appendingPathComponent("daemons.log"), encoding: .utf8)) ?? ""
            throw XCTSkip("PipeWire, WirePlumber and pipewire-pulse did not come up within 10 s: \(log.suffix(400))")
        }
        Self.tone = try SpawnedProcess("gst-launch-1.0", ["audiotestsrc", "is-live=true", "wave=sine", "freq=440", "volume=0.3", "!", "pulsesink"],
                                       package: "gstreamer1.0-tools")
    }

    /// Starts a synthetic screen-cast-like video node (odd height on
    /// purpose) and returns its id.
    private func startVideoNode() throws -> UInt32 {
        try startDaemons()
        provider = try SpawnedProcess("gst-launch-1.0", [
            "videotestsrc", "is-live=true", "pattern=ball", "!", "video/x-raw,format=BGRx,width=320,height=241,framerate=30/1",
            "!", "pipewiresink", "mode=provide", "stream-properties=props,media.class=Video/Source,node.name=pixelpass-test-video",
        ], package: "gstreamer1.0-tools")
        var node: UInt32?
        _ = SpawnedProcess.waitUntil(timeout: 8) {
            node = (try? CommandLinePipeWireInventory().nodes())?.first { $0.mediaClass == "Video/Source" && $0.videoSize != nil }?.id
            return node != nil
        }
        return try XCTUnwrap(node, "the pipewiresink node did not appear within 8 s")
    }

    func testVideoNodeWithSystemAudio() throws {
        let node = try startVideoNode()
        let settings = MediaSettings(source: .pipewire(node: node), encoder: .automatic(allowHardware: false), bitrateKbps: 1000)
        let resolved = try MediaPipeline.resolve(settings)
        print("resolved: \(resolved.summary)")
        // On PipeWire the default sink's monitor is read natively.
        guard case let .sinkMonitor(sink) = resolved.audio else { return XCTFail("expected the default sink's monitor, got \(resolved.audio)") }
        XCTAssertFalse(sink.isEmpty || sink.hasSuffix(".monitor"), sink)
        XCTAssertTrue(resolved.captureSize == (320, 240), "\(resolved.captureSize)")

        let pipeline = try MediaPipeline(settings: settings, resolved: resolved)
        let recorder = ChunkRecorder()
        try pipeline.start(onChunk: recorder.onChunk, onFailure: recorder.onFailure)
        recorder.wait(timeout: 6) { arrivals in
            arrivals.contains(where: \.chunk.isKeyframe) && (arrivals.last?.time ?? 0) - (arrivals.first?.time ?? 0) >= 2
        }
        pipeline.stop()
        XCTAssertEqual(recorder.failures, [])
        let streams = try StreamChecks.probeJoined(recorder.arrivals)
        let video = try XCTUnwrap(streams.first { $0["codec_type"] == "video" }, "no video in \(streams)")
        XCTAssertEqual(video["codec_name"], "h264")
        XCTAssertEqual(video["width"], "320")
        XCTAssertEqual(video["height"], "240")
        let audio = try XCTUnwrap(streams.first { $0["codec_type"] == "audio" }, "no audio in \(streams)")
        XCTAssertEqual(audio["codec_name"], "aac")
        // The tone played into the default sink, read back from its monitor
        // (not the microphone, which @DEFAULT_MONITOR@ would give).
        let volume = try StreamChecks.meanVolume(recorder.arrivals)
        print("system audio mean volume: \(volume) dB")
        XCTAssertGreaterThan(volume, -40, "the system audio is silent")
    }

    func testAudioNodeIsNotAVideoNode() throws {
        let videoNode = try startVideoNode()
        let sink = try XCTUnwrap(try CommandLinePipeWireInventory().nodes().first { $0.mediaClass == "Audio/Sink" })
        XCTAssertThrowsError(try MediaPipeline.resolve(MediaSettings(source: .pipewire(node: sink.id)))) { error in
            guard case let .notAVideoNode(node, mediaClass, videoNodes) = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertEqual(node, sink.id)
            XCTAssertEqual(mediaClass, "Audio/Sink")
            XCTAssertTrue(videoNodes.contains { $0.hasPrefix("\(videoNode) (") }, "\(videoNodes)")
            print("\(error)")
        }
    }

    /// A removed node leaves pipewiresrc waiting silently; the stall watch
    /// turns that into `sourceLost`.
    func testRemovedNodeIsTheSourceLost() throws {
        let node = try startVideoNode()
        let settings = MediaSettings(source: .pipewire(node: node), encoder: .automatic(allowHardware: false), bitrateKbps: 500, audio: false)
        let pipeline = try MediaPipeline(settings: settings, resolved: MediaPipeline.resolve(settings))
        let recorder = ChunkRecorder()
        try pipeline.start(onChunk: recorder.onChunk, onFailure: recorder.onFailure)
        defer { pipeline.stop() }
        XCTAssertTrue(recorder.wait(timeout: 6) { $0.contains(where: \.chunk.isKeyframe) }, "no keyframe from the node")

        let removed = Date()
        provider?.stop()
        XCTAssertTrue(SpawnedProcess.waitUntil(timeout: 8) { !recorder.failures.isEmpty }, "no failure within 8 s of the node going away")
        guard case let .sourceLost(reason) = recorder.failures.first else {
            return XCTFail("expected sourceLost, got \(recorder.failures)")
        }
        print("sourceLost after \(Int(Date().timeIntervalSince(removed) * 1000)) ms: \(reason)")
        XCTAssertThrowsError(try pipeline.start(onChunk: { _ in }, onFailure: { _ in })) { error in
            // Still running until stopped, and once stopped the node is gone for good.
            XCTAssertEqual(error as? MediaError, .alreadyRunning)
        }
        pipeline.stop()
        XCTAssertThrowsError(try pipeline.start(onChunk: { _ in }, onFailure: { _ in })) { error in
            XCTAssertEqual(error as? MediaError, .sourceLost("PipeWire node \(node) is gone"))
        }
    }
}
