import Foundation
import XCTest
@testable import PixelpassMedia

/// Real X11 capture from a private Xvfb (xvfb, x11-utils, x11-xserver-utils,
/// x11-apps): whole screen, one RandR monitor, one window by title, the
/// bad-input errors, and the X server dying mid-share.
final class X11CaptureTests: XCTestCase {
    /// One server for the read-only tests, with a clock window of odd size
    /// and a second monitor covering the right half of the screen.
    // nonisolated(unsafe): XCTest runs a class's tests and its class tearDown on one thread.
    nonisolated(unsafe) private static var shared: XvfbServer?
    private static let clockTitle = "pixelpass test clock"

    override class func tearDown() {
        shared?.stop()
        shared = nil
        super.tearDown()
    }

    private func server() throws -> XvfbServer {
        if let server = Self.shared { return server }
        let server = try XvfbServer()
        try server.startClient("xclock", ["-update", "1", "-geometry", "201x151+10+10", "-title", Self.clockTitle],
                               package: "x11-apps", title: Self.clockTitle)
        // RandR 1.5 monitors, as a dual-head desktop would have.
        SpawnedProcess.run("xrandr", ["-display", server.display, "--setmonitor", "PIXELPASS-LEFT", "640/169x720/190+0+0", "none"])
        SpawnedProcess.run("xrandr", ["-display", server.display, "--setmonitor", "PIXELPASS-RIGHT", "640/169x720/190+640+0", "none"])
        Self.shared = server
        return server
    }

    private func settings(_ target: X11Target, display: String) -> MediaSettings {
        // Video only: system audio has its own test with a sound server.
        MediaSettings(source: .x11(X11Capture(display: display, target: target)), encoder: .automatic(allowHardware: false),
                      bitrateKbps: 1500, audio: false)
    }

    /// Runs the pipeline for `seconds` and returns what a joining viewer
    /// would probe, after checking chunks and keyframes arrived.
    private func capture(_ settings: MediaSettings, seconds: TimeInterval = 2) throws -> (ResolvedMedia, [String: String]) {
        let resolved = try MediaPipeline.resolve(settings)
        print("resolved: \(resolved.summary)")
        let pipeline = try MediaPipeline(settings: settings, resolved: resolved)
        let recorder = ChunkRecorder()
        try pipeline.start(onChunk: recorder.onChunk, onFailure: recorder.onFailure)
        recorder.wait(timeout: seconds + 3) { arrivals in
            arrivals.contains(where: \.chunk.isKeyframe) && (arrivals.last?.time ?? 0) - (arrivals.first?.time ?? 0) >= seconds
        }
        pipeline.stop()
        XCTAssertEqual(recorder.failures, [])
        XCTAssertGreaterThan(recorder.arrivals.count, 10, "almost no chunks in \(seconds) s")
        let streams = try StreamChecks.probeJoined(recorder.arrivals)
        let video = try XCTUnwrap(streams.first { $0["codec_type"] == "video" }, "no video stream in \(streams)")
        XCTAssertEqual(video["codec_name"], "h264")
        return (resolved, video)
    }

    func testWholeScreen() throws {
        let display = try server().display
        let (resolved, video) = try capture(settings(.screen, display: display))
        XCTAssertTrue(resolved.captureSize == (1280, 720))
        XCTAssertEqual(video["width"], "1280")
        XCTAssertEqual(video["height"], "720")
        XCTAssertTrue(resolved.summary.hasPrefix("x11 \(display) screen 1280x720+0+0 → 1280x720@30 "), resolved.summary)
    }

    func testOneMonitor() throws {
        let display = try server().display
        let (resolved, video) = try capture(settings(.monitor("PIXELPASS-RIGHT"), display: display))
        XCTAssertEqual(resolved.source, .x11(X11SourcePlan(display: display, target: .monitor(name: "PIXELPASS-RIGHT"),
                                                           area: X11Rect(x: 640, y: 0, width: 640, height: 720))))
        XCTAssertEqual(video["width"], "640")
        XCTAssertEqual(video["height"], "720")
    }

    func testOneOddSizedWindowByTitle() throws {
        let display = try server().display
        let (resolved, video) = try capture(settings(.windowTitle("TEST CLOCK"), display: display))
        guard case let .x11(plan) = resolved.source, case let .window(_, title) = plan.target else {
            return XCTFail("\(resolved.source)")
        }
        XCTAssertEqual(title, Self.clockTitle)
        // 201x151 rounded down to even.
        XCTAssertEqual(video["width"], "200")
        XCTAssertEqual(video["height"], "150")
    }

    func testMissingMonitorAndWindowsListWhatExists() throws {
        let display = try server().display
        XCTAssertThrowsError(try MediaPipeline.resolve(settings(.monitor("HDMI-9"), display: display))) { error in
            guard case let .noSuchMonitor("HDMI-9", errorDisplay, monitors) = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertEqual(errorDisplay, display)
            XCTAssertTrue(monitors.contains("PIXELPASS-RIGHT (640x720+640+0)"), "\(monitors)")
        }
        XCTAssertThrowsError(try MediaPipeline.resolve(settings(.windowTitle("no such window here"), display: display))) { error in
            guard case let .noMatchingWindow(_, _, windows) = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertTrue(windows.contains { $0.hasSuffix("'\(Self.clockTitle)'") }, "\(windows)")
        }
        XCTAssertThrowsError(try MediaPipeline.resolve(settings(.windowID(0x7fff_fff1), display: display))) { error in
            guard case let .noSuchWindow("0x7ffffff1", _, windows) = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertEqual(windows.count, 1, "\(windows)")
        }
        XCTAssertThrowsError(try MediaPipeline.resolve(settings(.screen, display: ":1999"))) { error in
            guard case .displayUnavailable(":1999", _) = error as? MediaError else { return XCTFail("\(error)") }
        }
    }

    /// Xlib's default error handler would call exit() when ximagesrc next
    /// touches the destroyed window; instead the share reports `sourceLost`.
    func testClosingTheSharedWindowIsTheSourceLost() throws {
        let server = try server()
        let eyes = try server.startClient("xeyes", ["-geometry", "300x200+400+100", "-title", "pixelpass test eyes"],
                                          package: "x11-apps", title: "pixelpass test eyes")
        let settings = settings(.windowTitle("pixelpass test eyes"), display: server.display)
        let resolved = try MediaPipeline.resolve(settings)
        guard case let .x11(plan) = resolved.source, case let .window(id, _) = plan.target else { return XCTFail("\(resolved.source)") }
        let pipeline = try MediaPipeline(settings: settings, resolved: resolved)
        let recorder = ChunkRecorder()
        try pipeline.start(onChunk: recorder.onChunk, onFailure: recorder.onFailure)
        defer { pipeline.stop() }
        XCTAssertTrue(recorder.wait(timeout: 5) { $0.contains(where: \.chunk.isKeyframe) }, "no keyframe before closing the window")

        eyes.stop()
        XCTAssertTrue(SpawnedProcess.waitUntil(timeout: 5) { !recorder.failures.isEmpty }, "no failure within 5 s of the window closing")
        XCTAssertEqual(recorder.failures.first, .sourceLost("the shared window \(X11Window.hex(id)) on \(server.display) was closed"))
        pipeline.stop()
        // Starting again must not fall back to the whole screen (ximagesrc would).
        XCTAssertThrowsError(try pipeline.start(onChunk: { _ in }, onFailure: { _ in })) { error in
            XCTAssertEqual(error as? MediaError, .sourceLost("the shared window \(X11Window.hex(id)) on \(server.display) is closed or hidden"))
        }
    }

    /// Xlib's default handler would call exit() here and take the whole
    /// test process down; instead the share reports `sourceLost` and stops.
    func testXServerDyingMidShareIsTheSourceLost() throws {
        let server = try XvfbServer()
        defer { server.stop() }
        let settings = settings(.screen, display: server.display)
        let pipeline = try MediaPipeline(settings: settings, resolved: MediaPipeline.resolve(settings))
        let recorder = ChunkRecorder()
        try pipeline.start(onChunk: recorder.onChunk, onFailure: recorder.onFailure)
        XCTAssertTrue(recorder.wait(timeout: 5) { $0.contains(where: \.chunk.isKeyframe) }, "no keyframe before the kill")

        let killed = Date()
        server.kill()
        XCTAssertTrue(SpawnedProcess.waitUntil(timeout: 5) { !recorder.failures.isEmpty }, "no failure within 5 s of the X server dying")
        let delay = Date().timeIntervalSince(killed)
        guard case let .sourceLost(reason) = recorder.failures.first else {
            return XCTFail("expected sourceLost, got \(recorder.failures)")
        }
        print("sourceLost after \(Int(delay * 1000)) ms: \(reason)")
        XCTAssertTrue(reason.contains(server.display), reason)

        let stopping = Date()
        pipeline.stop()
        XCTAssertLessThan(Date().timeIntervalSince(stopping), 2, "stop() after the X server died took too long")
        let count = recorder.arrivals.count
        Thread.sleep(forTimeInterval: 0.2)
        XCTAssertEqual(recorder.arrivals.count, count, "chunks after stop()")
        XCTAssertEqual(recorder.failures.count, 1, "onFailure must be called once")
    }
}
