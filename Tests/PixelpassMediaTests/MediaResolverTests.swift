import XCTest
@testable import PixelpassMedia
import PixelpassPortal

/// Resolution with injected inventories: the bad-input cases the host
/// turns into exit status 2, and what a good resolution carries.
final class MediaResolverTests: XCTestCase {
    private func resolve(_ source: CaptureSource, _ environment: MediaEnvironment = .fake(),
                         configure: (inout MediaSettings) -> Void = { _ in }) throws -> ResolvedMedia {
        var settings = MediaSettings(source: source)
        configure(&settings)
        return try MediaResolver.resolve(settings, in: environment)
    }

    private func x11(_ target: X11Target, display: String? = nil) -> CaptureSource {
        .x11(X11Capture(display: display, target: target))
    }

    // MARK: - X11

    func testScreenUsesDollarDisplayAndNativeSize() throws {
        let resolved = try resolve(x11(.screen), .fake(display: ":7"))
        XCTAssertEqual(resolved.source, .x11(X11SourcePlan(display: ":7", target: .screen, area: X11Rect(x: 0, y: 0, width: 3200, height: 1080))))
        XCTAssertTrue(resolved.captureSize == (3200, 1080))
        XCTAssertEqual(resolved.encoder, "x264enc")
        XCTAssertEqual(resolved.audio, .systemMonitor(device: "alsa_output.pci-0000_00_1f.3.analog-stereo.monitor"))
        XCTAssertEqual(resolved.summary, "x11 :7 screen 3200x1080+0+0 → 3200x1080@30 x264enc 4000 kbit/s"
            + " (skipped vah264enc: no VA device with H.264 encoding; vaapih264enc: plugin not installed (gstreamer1.0-vaapi);"
            + " nvh264enc: no NVIDIA GPU with NVENC (or no CUDA driver)), audio: alsa_output.pci-0000_00_1f.3.analog-stereo.monitor")
    }

    func testExplicitDisplayWinsAndNoDisplayAtAllIsAnError() throws {
        XCTAssertEqual(try resolve(x11(.screen, display: ":3"), .fake(display: ":7")).source,
                       .x11(X11SourcePlan(display: ":3", target: .screen, area: X11Rect(x: 0, y: 0, width: 3200, height: 1080))))
        XCTAssertThrowsError(try resolve(x11(.screen), .fake(display: nil))) { error in
            XCTAssertEqual(error as? MediaError, .noDisplay)
        }
        var unreachable = FakeX11Inventory()
        unreachable.unreachable = true
        XCTAssertThrowsError(try resolve(x11(.screen), .fake(x11: unreachable))) { error in
            guard case .displayUnavailable(":0", _) = error as? MediaError else { return XCTFail("\(error)") }
        }
    }

    func testMonitorByNameCaseInsensitivelyAndTheErrorListsMonitors() throws {
        let resolved = try resolve(x11(.monitor("hdmi-1")))
        XCTAssertEqual(resolved.source, .x11(X11SourcePlan(display: ":0", target: .monitor(name: "HDMI-1"), area: X11Rect(x: 1920, y: 0, width: 1280, height: 1024))))
        XCTAssertTrue(resolved.captureSize == (1280, 1024))

        XCTAssertThrowsError(try resolve(x11(.monitor("HDMI-9")))) { error in
            XCTAssertEqual(error as? MediaError, .noSuchMonitor(name: "HDMI-9", display: ":0", monitors: ["DP-1 (1920x1080+0+0)", "HDMI-1 (1280x1024+1920+0)"]))
            XCTAssertEqual("\(error)", "There is no monitor 'HDMI-9' on :0; choose one of these monitors: DP-1 (1920x1080+0+0), HDMI-1 (1280x1024+1920+0).")
        }
    }

    func testWindowTitleMatchesExactlyOneCaseInsensitively() throws {
        let resolved = try resolve(x11(.windowTitle("FIREFOX")))
        guard case let .x11(plan) = resolved.source else { return XCTFail("\(resolved.source)") }
        XCTAssertEqual(plan.target, .window(id: 0x2200003, title: "Firefox — Release notes"))
        XCTAssertTrue(resolved.captureSize == (1280, 1000))
    }

    func testWindowTitleMatchingNothingListsTheWindows() {
        XCTAssertThrowsError(try resolve(x11(.windowTitle("libreoffice")))) { error in
            XCTAssertEqual(error as? MediaError, .noMatchingWindow(title: "libreoffice", display: ":0", windows: [
                "0x1e00007 'Terminal — vim notes.txt'", "0x2200003 'Firefox — Release notes'", "0x2400001 'Second terminal'",
            ]), "the hidden 10x10 helper window is no candidate")
            XCTAssertEqual("\(error)", "No window title on :0 contains 'libreoffice'; choose one of these windows: 0x1e00007 'Terminal — vim notes.txt', 0x2200003 'Firefox — Release notes', 0x2400001 'Second terminal'.")
        }
    }

    func testWindowTitleMatchingSeveralListsTheMatches() {
        XCTAssertThrowsError(try resolve(x11(.windowTitle("terminal")))) { error in
            XCTAssertEqual(error as? MediaError, .ambiguousWindow(title: "terminal", display: ":0",
                                                                  matches: ["0x1e00007 'Terminal — vim notes.txt'", "0x2400001 'Second terminal'"]))
            XCTAssertEqual("\(error)", "2 windows on :0 have 'terminal' in their title; give more of the title or one window ID: 0x1e00007 'Terminal — vim notes.txt', 0x2400001 'Second terminal'.")
        }
    }

    func testAHiddenMatchDoesNotCount() throws {
        var x11 = FakeX11Inventory()
        x11.unmapped = [0x2400001]
        let resolved = try resolve(self.x11(.windowTitle("terminal")), .fake(x11: x11))
        guard case let .x11(plan) = resolved.source else { return XCTFail() }
        XCTAssertEqual(plan.target, .window(id: 0x1e00007, title: "Terminal — vim notes.txt"))
    }

    func testWindowIDThatDoesNotExistOrIsHidden() {
        XCTAssertThrowsError(try resolve(x11(.windowID(0x123456)))) { error in
            guard case let .noSuchWindow(window, display, windows) = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertEqual(window, "0x123456")
            XCTAssertEqual(display, ":0")
            XCTAssertEqual(windows.count, 3)
            XCTAssertTrue("\(error)".hasPrefix("There is no window 0x123456 on :0; choose one of these windows: 0x1e00007 'Terminal — vim notes.txt',"))
        }
        var x11 = FakeX11Inventory()
        x11.unmapped = [0x2200003]
        XCTAssertThrowsError(try resolve(self.x11(.windowID(0x2200003)), .fake(x11: x11))) { error in
            XCTAssertEqual(error as? MediaError, .windowNotShown(window: "0x2200003 'Firefox — Release notes'", display: ":0"))
        }
    }

    func testOddWindowIsRoundedDownToEvenOrScaledOnRequest() throws {
        XCTAssertTrue(try resolve(x11(.windowID(0x1e00007))).captureSize == (800, 600))
        let scaled = try resolve(x11(.windowID(0x1e00007))) { $0.scaleToSize = true; $0.width = 640; $0.height = 360 }
        XCTAssertTrue(scaled.captureSize == (640, 360))
    }

    // MARK: - PipeWire

    func testPipeWireVideoNode() throws {
        let resolved = try resolve(.pipewire(node: 57))
        XCTAssertEqual(resolved.source, .pipewire(PipeWireSourcePlan(node: 57, name: "gst-launch-1.0", size: VideoSize(width: 321, height: 241))))
        XCTAssertTrue(resolved.captureSize == (320, 240))
        XCTAssertTrue(resolved.summary.hasPrefix("pipewire node 57 'gst-launch-1.0' 321x241 → 320x240@30 x264enc"), resolved.summary)
    }

    func testPipeWireNodeWithoutAnnouncedSizeIsScaledToTheRequestedSize() throws {
        var pipewire = FakePipeWireInventory()
        pipewire.nodeList = [PipeWireNode(id: 9, mediaClass: "Video/Source", name: "Camera", videoSize: nil)]
        XCTAssertTrue(try resolve(.pipewire(node: 9), .fake(pipewire: pipewire)).captureSize == (1280, 720))
    }

    func testAudioNodeIsNotAVideoNodeAndTheErrorListsVideoNodes() {
        XCTAssertThrowsError(try resolve(.pipewire(node: 32))) { error in
            XCTAssertEqual(error as? MediaError, .notAVideoNode(node: 32, mediaClass: "Audio/Sink", videoNodes: [
                "42 (Screen 1, Video/Source)", "57 (gst-launch-1.0, Stream/Output/Video)",
            ]))
            XCTAssertEqual("\(error)", "PipeWire node 32 is not a video source (its media.class is 'Audio/Sink'); choose one of these video nodes: 42 (Screen 1, Video/Source), 57 (gst-launch-1.0, Stream/Output/Video).")
        }
        XCTAssertThrowsError(try resolve(.pipewire(node: 999))) { error in
            guard case .noSuchNode(999, let nodes) = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertEqual(nodes.count, 2)
        }
        var empty = FakePipeWireInventory()
        empty.nodeList = []
        XCTAssertThrowsError(try resolve(.pipewire(node: 1), .fake(pipewire: empty))) { error in
            XCTAssertEqual("\(error)", "There is no PipeWire node 1; PipeWire has no video nodes right now.")
        }
        let down = FakePipeWireInventory(failure: .pipeWireUnavailable(reason: "pw-dump: can't connect: Host is down"))
        XCTAssertThrowsError(try resolve(.pipewire(node: 1), .fake(pipewire: down))) { error in
            XCTAssertEqual("\(error)", "Cannot reach PipeWire (pw-dump: can't connect: Host is down); start PipeWire in this session or choose another --source.")
        }
    }

    // MARK: - Audio

    func testAudioPlanPerSource() throws {
        XCTAssertEqual(try resolve(.test).audio, .testTone)
        XCTAssertEqual(try resolve(.clock).audio, .testTone)
        XCTAssertEqual(try resolve(.clock) { $0.audio = false }.audio, AudioPlan.none)
        XCTAssertEqual(try resolve(.pipewire(node: 42)) { $0.audio = false }.audio, AudioPlan.none)
        let noServer = FakeSystemAudio(plan: .unavailable(reason: "no PulseAudio or PipeWire sound server answered"))
        let resolved = try resolve(.pipewire(node: 42), .fake(audio: noServer))
        XCTAssertEqual(resolved.audio, .unavailable(reason: "no PulseAudio or PipeWire sound server answered"))
        XCTAssertTrue(resolved.summary.hasSuffix(", no audio (no PulseAudio or PipeWire sound server answered)"), resolved.summary)
        XCTAssertEqual(try resolve(x11(.screen), .fake(missingElements: ["pulsesrc"])).audio,
                       .unavailable(reason: "the GStreamer element pulsesrc is missing (install gstreamer1.0-plugins-good)"))
    }

    // MARK: - Encoders through resolve

    func testNamedEncoderErrorsComeOutOfResolve() {
        XCTAssertThrowsError(try resolve(.test) { $0.encoder = .named("nvh264enc") }) { error in
            guard case .encoderUnavailable("nvh264enc", _, nil, ["x264enc", "openh264enc"]) = error as? MediaError else { return XCTFail("\(error)") }
        }
        let resolved = try? resolve(.test, .fake(encoders: .softwareOnly())) { $0.encoder = .automatic(allowHardware: false) }
        XCTAssertEqual(resolved?.skippedEncoders.map(\.reason), Array(repeating: EncoderChain.hardwareDisabledReason, count: 3))
    }

    func testTestSourcesKeepTheRequestedSize() throws {
        XCTAssertTrue(try resolve(.test) { $0.width = 640; $0.height = 360 }.captureSize == (640, 360))
        XCTAssertEqual(try resolve(.clock).summary, "clock pattern → 1280x720@30 x264enc 4000 kbit/s (skipped vah264enc: no VA device with H.264 encoding;"
            + " vaapih264enc: plugin not installed (gstreamer1.0-vaapi); nvh264enc: no NVIDIA GPU with NVENC (or no CUDA driver)), audio: test tone")
    }

    // MARK: - Refresh before each start

    func testAClosedWindowIsTheSourceLostAtStart() throws {
        let plan = SourcePlan.x11(X11SourcePlan(display: ":0", target: .window(id: 0x777, title: "gone"), area: X11Rect(x: 0, y: 0, width: 100, height: 100)))
        XCTAssertThrowsError(try MediaResolver.refresh(plan, in: .fake())) { error in
            XCTAssertEqual(error as? MediaError, .sourceLost("the shared window 0x777 on :0 is closed or hidden"))
        }
        var moved = FakeX11Inventory()
        moved.monitorList[1].area = X11Rect(x: 0, y: 1080, width: 1280, height: 1024)
        let monitor = SourcePlan.x11(X11SourcePlan(display: ":0", target: .monitor(name: "HDMI-1"), area: X11Rect(x: 1920, y: 0, width: 1280, height: 1024)))
        guard case let .x11(refreshed) = try MediaResolver.refresh(monitor, in: .fake(x11: moved)) else { return XCTFail() }
        XCTAssertEqual(refreshed.area, X11Rect(x: 0, y: 1080, width: 1280, height: 1024))
        var unreachable = FakeX11Inventory()
        unreachable.unreachable = true
        XCTAssertThrowsError(try MediaResolver.refresh(monitor, in: .fake(x11: unreachable))) { error in
            guard case .sourceLost = error as? MediaError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try MediaResolver.refresh(.pipewire(PipeWireSourcePlan(node: 5, name: "x", size: nil)), in: .fake())) { error in
            XCTAssertEqual(error as? MediaError, .sourceLost("PipeWire node 5 is gone"))
        }
    }

    // MARK: - Portal

    func testPortalStreamIsCapturedThroughThePortalsRemoteAtItsNativeSize() throws {
        let cast = FakePortalCast()
        let opener = FakePortalOpener(.success(cast))
        let resolved = try resolve(.portal(PortalCapture(offer: .window)), .fake(display: nil, wayland: "wayland-0", portal: opener))
        XCTAssertEqual(opener.requests, [PortalCapture(offer: .window)])
        XCTAssertTrue(resolved.captureSize == (1920, 1080))
        XCTAssertTrue(resolved.summary.hasPrefix("portal monitor (PipeWire node 57) 1920x1080 → 1920x1080@30 x264enc"), resolved.summary)
        let launch = try PipelineDescription(settings: MediaSettings(source: .portal(PortalCapture())), resolved: resolved,
                                             hasElement: { _ in true }).launchString
        XCTAssertTrue(launch.hasPrefix("pipewiresrc name=pixelpass_src fd=23 path=57 keepalive-time=33 always-copy=true ! videorate drop-only=true ! video/x-raw,framerate=30/1 ! videoscale ! video/x-raw,width=1920,height=1080"), launch)
        resolved.closeCapture()
        XCTAssertEqual(cast.closeCount, 1)
    }

    func testACancelledDialogIsReportedAsSuch() {
        let opener = FakePortalOpener(.failure(.portal(.cancelled)))
        XCTAssertThrowsError(try resolve(.portal(PortalCapture()), .fake(portal: opener))) { error in
            XCTAssertEqual(error as? MediaError, .portal(.cancelled))
            XCTAssertTrue("\(error)".hasPrefix("Sharing cancelled by the user"), "\(error)")
        }
    }

    func testNoEncoderMeansTheDialogIsNeverShown() {
        let opener = FakePortalOpener()
        let broken = FakeEncoderProber(Dictionary(uniqueKeysWithValues: VideoEncoder.allCases.map { ($0, EncoderProbeResult.failed(reason: "broken")) }))
        XCTAssertThrowsError(try resolve(.portal(PortalCapture()), .fake(encoders: broken, portal: opener)))
        XCTAssertTrue(opener.requests.isEmpty)
    }

    func testTheDesktopStoppingTheCastIsTheSourceLost() throws {
        let cast = FakePortalCast()
        let resolved = try resolve(.portal(PortalCapture()), .fake(portal: FakePortalOpener(.success(cast))))
        let ended = FakeEndNotice()
        resolved.onCaptureEnded { ended.reason = $0 }
        XCTAssertEqual(try MediaResolver.refresh(resolved.source, in: .fake()), resolved.source)
        cast.desktopStops()
        XCTAssertEqual(ended.reason, "the desktop stopped the screen cast")
        XCTAssertThrowsError(try MediaResolver.refresh(resolved.source, in: .fake())) { error in
            XCTAssertEqual(error as? MediaError, .sourceLost("the desktop stopped the screen cast"))
        }
    }

    // MARK: - auto

    func testAutomaticSource() {
        XCTAssertEqual(SourceAvailability.automatic(environment: ["DISPLAY": ":0"]), .success(.x11(X11Capture(display: nil, target: .screen))))
        XCTAssertEqual(SourceAvailability.automatic(environment: ["DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"]), .success(.portal(PortalCapture())))
        XCTAssertEqual(SourceAvailability.automatic(environment: ["DISPLAY": ""]), .failure(.noDisplay))
        XCTAssertEqual(SourceAvailability.automatic(environment: [:]), .failure(.noDisplay))
        XCTAssertTrue(MediaError.noDisplay.description.contains("'--source test'"))
    }

    /// Every description is one sentence: one final period, a capital first.
    func testErrorDescriptionsAreOneSentence() {
        let errors: [MediaError] = [
            .noDisplay, .portal(.cancelled), .portal(.unavailable("no xdg-desktop-portal on the session bus")),
            .portal(.failed(step: "Start", detail: "response 2")), .displayUnavailable(display: ":9", reason: "unable to open display"),
            .noSuchMonitor(name: "X", display: ":0", monitors: []), .noSuchWindow(window: "0x1", display: ":0", windows: []),
            .windowNotShown(window: "0x1 'a'", display: ":0"), .noMatchingWindow(title: "a", display: ":0", windows: ["0x1 'b'"]),
            .ambiguousWindow(title: "a", display: ":0", matches: ["0x1 'a'", "0x2 'ab'"]), .noSuchNode(node: 1, videoNodes: []),
            .notAVideoNode(node: 1, mediaClass: "Audio/Sink", videoNodes: []), .pipeWireUnavailable(reason: "down"),
            .toolMissing(tool: "xrandr", purpose: "list X11 monitors", debianPackage: "x11-xserver-utils"),
            .sourceLost("the X server :9 closed the connection"), .unknownEncoder("foo"),
            .encoderUnavailable(name: "x264enc", reason: "plugin not installed (gstreamer1.0-plugins-ugly)", debianPackage: "gstreamer1.0-plugins-ugly", working: []),
            .noWorkingEncoder(tried: ["x264enc: plugin not installed (gstreamer1.0-plugins-ugly)"]),
        ]
        for error in errors {
            let text = error.description
            XCTAssertTrue(text.hasSuffix("."), text)
            XCTAssertEqual(text.filter { $0 == ";" }.count <= 2, true, text)
            XCTAssertFalse(text.dropLast().contains(". "), "more than one sentence: \(text)")
            XCTAssertTrue(text.first.map { $0.isUppercase || $0.isNumber || $0 == "'" } ?? false, text)
        }
    }

    func testLongListsAreCut() {
        let windows = (1...20).map { "0x\($0) 'w\($0)'" }
        let text = MediaError.noSuchWindow(window: "0x99", display: ":0", windows: windows).description
        XCTAssertTrue(text.hasSuffix("0x12 'w12' and 8 more."), text)
    }
}
