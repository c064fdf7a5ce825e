import XCTest
@testable import PixelpassMedia

final class PipelineDescriptionTests: XCTestCase {
    private func launch(_ settings: MediaSettings = MediaSettings(), _ resolved: ResolvedMedia = .fixture()) throws -> String {
        try PipelineDescription(settings: settings, resolved: resolved, hasElement: { _ in true }).launchString
    }

    // MARK: - Elements

    func testMissingElementNamesDebianPackage() {
        let absent: Set = ["x264enc"]
        XCTAssertThrowsError(try PipelineDescription(settings: MediaSettings(), resolved: .fixture(), hasElement: { !absent.contains($0) })) { error in
            XCTAssertEqual(error as? MediaError, .missingElement(name: "x264enc", debianPackage: "gstreamer1.0-plugins-ugly"))
            XCTAssertEqual("\(error)", "The GStreamer element 'x264enc' is missing; install it with 'sudo apt install gstreamer1.0-plugins-ugly'.")
        }
    }

    func testCaptureSourcesNameTheirPackages() {
        let x11 = ResolvedMedia.fixture(source: .x11(X11SourcePlan(display: ":0", target: .screen, area: X11Rect(x: 0, y: 0, width: 1280, height: 720))))
        XCTAssertThrowsError(try PipelineDescription(settings: MediaSettings(), resolved: x11, hasElement: { $0 != "ximagesrc" })) { error in
            XCTAssertEqual(error as? MediaError, .missingElement(name: "ximagesrc", debianPackage: "gstreamer1.0-plugins-good"))
        }
        let pipewire = ResolvedMedia.fixture(source: .pipewire(PipeWireSourcePlan(node: 42, name: "Screen", size: nil)))
        XCTAssertThrowsError(try PipelineDescription(settings: MediaSettings(), resolved: pipewire, hasElement: { $0 != "pipewiresrc" })) { error in
            XCTAssertEqual(error as? MediaError, .missingElement(name: "pipewiresrc", debianPackage: "gstreamer1.0-pipewire"))
        }
        let vaapi = ResolvedMedia.fixture(encoder: .vaapih264enc)
        XCTAssertThrowsError(try PipelineDescription(settings: MediaSettings(), resolved: vaapi, hasElement: { $0 != "vaapih264enc" })) { error in
            XCTAssertEqual(error as? MediaError, .missingElement(name: "vaapih264enc", debianPackage: "gstreamer1.0-vaapi"))
        }
    }

    func testFallsBackToVoaacencAndThenNamesLibav() throws {
        let withoutLibav = try PipelineDescription(settings: MediaSettings(), resolved: .fixture(), hasElement: { $0 != "avenc_aac" })
        XCTAssertEqual(withoutLibav.audioEncoder?.name, "voaacenc")
        XCTAssertTrue(withoutLibav.launchString.contains("voaacenc bitrate=128000"))

        XCTAssertThrowsError(try PipelineDescription(settings: MediaSettings(), resolved: .fixture(), hasElement: { $0 != "avenc_aac" && $0 != "voaacenc" })) { error in
            XCTAssertEqual(error as? MediaError, .missingElement(name: "avenc_aac", debianPackage: "gstreamer1.0-libav"))
        }
    }

    func testVideoOnlyNeedsNoAudioElements() throws {
        let audioElements = Set(["avenc_aac", "voaacenc", "audiotestsrc", "aacparse", "pulsesrc"])
        for audio in [AudioPlan.none, .unavailable(reason: "no sound server")] {
            let description = try PipelineDescription(settings: MediaSettings(audio: false), resolved: .fixture(audio: audio),
                                                      hasElement: { !audioElements.contains($0) })
            XCTAssertNil(description.audioEncoder)
            XCTAssertFalse(description.launchString.contains("audiotestsrc"))
            XCTAssertFalse(description.launchString.contains("pulsesrc"))
        }
    }

    func testRejectsUnsupportedSettings() {
        for settings in [MediaSettings(width: 1281), MediaSettings(height: 0), MediaSettings(fps: 0),
                         MediaSettings(bitrateKbps: 10),
                         MediaSettings(source: .x11(X11Capture(display: nil, target: .windowTitle("")))),
                         MediaSettings(source: .x11(X11Capture(display: nil, target: .monitor(" "))))] {
            XCTAssertThrowsError(try PipelineDescription(settings: settings, resolved: .fixture(), hasElement: { _ in true })) { error in
                guard case .invalidSettings = error as? MediaError else {
                    return XCTFail("expected invalidSettings, got \(error)")
                }
            }
        }
    }

    // MARK: - Launch strings per source

    func testTestSourceCarriesSettings() throws {
        let settings = MediaSettings(width: 640, height: 360, fps: 25, bitrateKbps: 1500, audio: true)
        let launch = try launch(settings, .fixture(size: (640, 360)))
        for expected in ["videotestsrc is-live=true pattern=smpte", "width=640,height=360,framerate=25/1", "clockoverlay",
                         "video/x-raw,format=I420 ! videorate drop-only=true", "pixel-aspect-ratio=1/1\" ! queue max-size-buffers=1 max-size-bytes=0 max-size-time=0 leaky=downstream ! x264enc", "bitrate=1500", "key-int-max=50", "bframes=0",
                         "tune=zerolatency", "config-interval=-1", "alignment=0", "pcr-interval=3600",
                         "audiotestsrc", "avenc_aac", "appsink name=\(PipelineDescription.sinkName) sync=false"] {
            XCTAssertTrue(launch.contains(expected), "missing \(expected) in \(launch)")
        }
        XCTAssertFalse(launch.contains(PipelineDescription.sourceName), "the test source has no capture element to watch")
    }

    func testClockSourceHasTheStampElementBeforeTheEncoder() throws {
        let launch = try launch(MediaSettings(source: .clock, width: 1920, height: 1080), .fixture(source: .clock, audio: .none, size: (1920, 1080)))
        XCTAssertTrue(launch.hasPrefix("videotestsrc is-live=true pattern=black ! video/x-raw,format=I420,width=1920,height=1080,framerate=30/1"
            + " ! identity name=pixelpass_clockstamp ! videoconvert ! video/x-raw,format=I420"
            + " ! videorate drop-only=true ! videoscale ! capsfilter name=pixelpass_picture caps=\"video/x-raw,width=1920,height=1080,framerate=30/1,pixel-aspect-ratio=1/1\" ! queue max-size-buffers=1 max-size-bytes=0 max-size-time=0 leaky=downstream ! x264enc"), launch)
        XCTAssertFalse(launch.contains("audiotestsrc"))
        let description = try PipelineDescription(settings: MediaSettings(source: .clock), resolved: .fixture(source: .clock), hasElement: { _ in true })
        XCTAssertTrue(description.sessionOptions.clockStamp)
        XCTAssertEqual(description.sessionOptions.capture, .none)
    }

    func testX11ScreenUsesWholeRootWindowWithCursorAndSteadyRate() throws {
        let plan = X11SourcePlan(display: ":99", target: .screen, area: X11Rect(x: 0, y: 0, width: 1280, height: 720))
        let settings = MediaSettings(source: .x11(X11Capture(display: ":99", target: .screen)), fps: 24)
        let launch = try launch(settings, .fixture(source: .x11(plan), audio: .systemMonitor(device: "auto_null.monitor")))
        XCTAssertTrue(launch.hasPrefix("ximagesrc name=pixelpass_src display-name=\":99\" show-pointer=true use-damage=false"
            + " ! video/x-raw,framerate=24/1"
            + " ! videoscale ! video/x-raw,width=1280,height=720,pixel-aspect-ratio=1/1"
            + " ! videoconvert ! video/x-raw,format=I420 ! videorate drop-only=true ! videoscale"
            + " ! capsfilter name=pixelpass_picture caps=\"video/x-raw,width=1280,height=720,framerate=24/1,pixel-aspect-ratio=1/1\""
            + " ! queue max-size-buffers=1 max-size-bytes=0 max-size-time=0 leaky=downstream ! x264enc"), launch)
        XCTAssertFalse(launch.contains("startx"), "an even screen needs no region")
        XCTAssertTrue(launch.contains("pulsesrc device=\"auto_null.monitor\" client-name=pixelpass provide-clock=false ! audioconvert"), launch)
        XCTAssertFalse(launch.contains("DEFAULT_MONITOR"))
        let options = try PipelineDescription(settings: settings, resolved: .fixture(source: .x11(plan)), hasElement: { _ in true }).sessionOptions
        XCTAssertEqual(options.capture, .x11(display: ":99", window: nil))
    }

    func testX11OddScreenAndMonitorAreCutToEvenRegions() throws {
        let odd = X11SourcePlan(display: ":0", target: .screen, area: X11Rect(x: 0, y: 0, width: 1367, height: 769))
        XCTAssertTrue(try launch(MediaSettings(), .fixture(source: .x11(odd), size: (1366, 768)))
            .contains("startx=0 starty=0 endx=1365 endy=767"))

        let monitor = X11SourcePlan(display: ":0", target: .monitor(name: "HDMI-1"), area: X11Rect(x: 1920, y: 0, width: 1280, height: 1024))
        let launch = try launch(MediaSettings(), .fixture(source: .x11(monitor), size: (1280, 1024)))
        XCTAssertTrue(launch.contains("use-damage=false startx=1920 starty=0 endx=3199 endy=1023 ! "), launch)
        XCTAssertTrue(launch.contains("video/x-raw,width=1280,height=1024,pixel-aspect-ratio=1/1"))
    }

    func testX11OddWindowIsCapturedByIDAndCroppedToEven() throws {
        let window = X11SourcePlan(display: ":0", target: .window(id: 0x1e00007, title: "Terminal"), area: X11Rect(x: 10, y: 40, width: 801, height: 601))
        let launch = try launch(MediaSettings(), .fixture(source: .x11(window), size: (800, 600)))
        XCTAssertTrue(launch.contains("use-damage=false xid=31457287 ! "), launch)
        XCTAssertTrue(launch.contains("video/x-raw,framerate=30/1 ! videocrop right=1 bottom=1 ! videoscale"
            + " ! video/x-raw,width=800,height=600,pixel-aspect-ratio=1/1"), launch)
        let options = try PipelineDescription(settings: MediaSettings(), resolved: .fixture(source: .x11(window)), hasElement: { _ in true }).sessionOptions
        XCTAssertEqual(options.capture, .x11(display: ":0", window: 0x1e00007))
    }

    func testPipeWireNodeKeepsFramesComingAtASteadyRate() throws {
        let plan = PipeWireSourcePlan(node: 57, name: "gst-launch-1.0", size: VideoSize(width: 321, height: 241))
        let launch = try launch(MediaSettings(fps: 30), .fixture(source: .pipewire(plan), encoder: .openh264enc, size: (320, 240)))
        XCTAssertTrue(launch.hasPrefix("pipewiresrc name=pixelpass_src path=57 keepalive-time=33 always-copy=true"
            + " ! videorate drop-only=true ! video/x-raw,framerate=30/1 ! videocrop right=1 bottom=1 ! videoscale"
            + " ! video/x-raw,width=320,height=240,pixel-aspect-ratio=1/1 ! videoconvert ! video/x-raw,format=I420"
            + " ! videorate drop-only=true ! videoscale ! capsfilter name=pixelpass_picture caps=\"video/x-raw,width=320,height=240,framerate=30/1,pixel-aspect-ratio=1/1\" ! queue max-size-buffers=1 max-size-bytes=0 max-size-time=0 leaky=downstream ! openh264enc"), launch)
    }

    func testQuotesDeviceNamesForGstParse() {
        XCTAssertEqual(PipelineDescription.quoted("a\"b\\c"), "\"a\\\"b\\\\c\"")
    }

    // MARK: - Encoders

    func testEachEncoderGetsLowLatencySettingsInItsOwnUnits() {
        let settings = (bitrateKbps: 4000, keyframeInterval: 60)
        let fragments = Dictionary(uniqueKeysWithValues: VideoEncoder.allCases.map {
            ($0, $0.launchFragment(bitrateKbps: settings.bitrateKbps, keyframeInterval: settings.keyframeInterval))
        })
        XCTAssertEqual(fragments[.x264enc], "x264enc tune=zerolatency speed-preset=ultrafast bitrate=4000 key-int-max=60 bframes=0")
        XCTAssertEqual(fragments[.openh264enc], "openh264enc usage-type=screen rate-control=bitrate bitrate=4000000 gop-size=60 complexity=low")
        XCTAssertEqual(fragments[.vah264enc], "vah264enc rate-control=cbr bitrate=4000 key-int-max=60 b-frames=0 target-usage=6")
        XCTAssertEqual(fragments[.vaapih264enc], "vaapih264enc rate-control=cbr bitrate=4000 keyframe-period=60 max-bframes=0")
        XCTAssertEqual(fragments[.nvh264enc], "nvh264enc preset=low-latency-hq rc-mode=cbr bitrate=4000 gop-size=60 zerolatency=true")
        XCTAssertEqual(VideoEncoder.vaapih264enc.launchFragment(bitrateKbps: 1000, keyframeInterval: 480),
                       "vaapih264enc rate-control=cbr bitrate=1000 keyframe-period=300 max-bframes=0")
        XCTAssertEqual(Set(VideoEncoder.allCases.filter(\.isHardware)), [.vah264enc, .vaapih264enc, .nvh264enc])
        XCTAssertEqual(VideoEncoder.allCases.map(\.inputFormat), ["NV12", "NV12", "NV12", "I420", "I420"])
    }

    /// gst_parse_launch rejects unknown properties and enum values, so
    /// parsing every variant whose elements are installed here checks the
    /// property names against GStreamer 1.22 itself.
    func testLaunchStringsParseWithTheInstalledPlugins() throws {
        GStreamer.initialize()
        let sources: [SourcePlan] = [
            .test, .clock,
            .x11(X11SourcePlan(display: ":0", target: .screen, area: X11Rect(x: 0, y: 0, width: 1281, height: 720))),
            .x11(X11SourcePlan(display: ":0", target: .window(id: 0x400001, title: "t"), area: X11Rect(x: 0, y: 0, width: 201, height: 151))),
            .pipewire(PipeWireSourcePlan(node: 42, name: "n", size: VideoSize(width: 321, height: 241))),
        ]
        let audios: [AudioPlan] = [.testTone, .systemMonitor(device: "auto_null.monitor"), .none]
        var parsed = 0
        for encoder in VideoEncoder.allCases where GStreamer.hasElement(encoder.name) {
            for source in sources {
                for audio in audios {
                    guard let description = try? PipelineDescription(settings: MediaSettings(), resolved: .fixture(source: source, encoder: encoder, audio: audio),
                                                                     hasElement: GStreamer.hasElement) else { continue }
                    XCTAssertNoThrow(try GStreamer.parseLaunch(description.launchString), description.launchString)
                    parsed += 1
                }
            }
        }
        if parsed == 0 {
            throw XCTSkip("no H.264 encoder and capture plugins are installed here")
        }
    }
}
