import Foundation
import Synchronization
@testable import PixelpassMedia
import PixelpassPortal

/// Fixed inventories, so resolution can be tested without an X server,
/// PipeWire, a sound server or GStreamer plugins.
struct FakeX11Inventory: X11Inventory {
    var screenArea = X11Rect(x: 0, y: 0, width: 3200, height: 1080)
    var monitorList: [X11Monitor] = [
        X11Monitor(name: "DP-1", area: X11Rect(x: 0, y: 0, width: 1920, height: 1080), primary: true),
        X11Monitor(name: "HDMI-1", area: X11Rect(x: 1920, y: 0, width: 1280, height: 1024), primary: false),
    ]
    var windowList: [X11Window] = [
        X11Window(id: 0x1e00007, title: "Terminal — vim notes.txt", area: X11Rect(x: 10, y: 40, width: 801, height: 601), viewable: nil),
        X11Window(id: 0x2200003, title: "Firefox — Release notes", area: X11Rect(x: 900, y: 0, width: 1280, height: 1000), viewable: nil),
        X11Window(id: 0x2400001, title: "Second terminal", area: X11Rect(x: 100, y: 100, width: 640, height: 480), viewable: nil),
        X11Window(id: 0x2600001, title: "Hidden helper", area: X11Rect(x: -100, y: -100, width: 10, height: 10), viewable: nil),
    ]
    /// Windows `window(id:)` reports as not viewable.
    var unmapped: Set<UInt64> = []
    var unreachable = false

    func screen(display: String) throws -> X11Rect {
        try check(display)
        return screenArea
    }

    func monitors(display: String) throws -> [X11Monitor] {
        try check(display)
        return monitorList
    }

    func windows(display: String) throws -> [X11Window] {
        try check(display)
        return windowList
    }

    func window(id: UInt64, display: String) throws -> X11Window? {
        try check(display)
        guard var window = windowList.first(where: { $0.id == id }) else { return nil }
        window.viewable = !unmapped.contains(id)
        return window
    }

    private func check(_ display: String) throws {
        if unreachable {
            throw MediaError.displayUnavailable(display: display, reason: "xwininfo: error: unable to open display \"\(display)\"")
        }
    }
}

struct FakePipeWireInventory: PipeWireInventory {
    var nodeList: [PipeWireNode] = [
        PipeWireNode(id: 32, mediaClass: "Audio/Sink", name: "Dummy Output", videoSize: nil),
        PipeWireNode(id: 42, mediaClass: "Video/Source", name: "Screen 1", videoSize: VideoSize(width: 1920, height: 1080)),
        PipeWireNode(id: 57, mediaClass: "Stream/Output/Video", name: "gst-launch-1.0", videoSize: VideoSize(width: 321, height: 241)),
    ]
    var failure: MediaError?

    func nodes() throws -> [PipeWireNode] {
        if let failure { throw failure }
        return nodeList
    }
}

struct FakeSystemAudio: SystemAudioInventory {
    var plan: AudioPlan = .systemMonitor(device: "alsa_output.pci-0000_00_1f.3.analog-stereo.monitor")
    /// What `pactl info` would say about the server.
    var pipeWire = false
    func defaultSinkMonitor() -> AudioPlan { plan }
    var isPipeWire: Bool { pipeWire }
}

/// Answers probes from a table and records which encoders were tried.
final class FakeEncoderProber: EncoderProber, Sendable {
    private let results: [VideoEncoder: EncoderProbeResult]
    private let tried = Mutex<[VideoEncoder]>([])

    init(_ results: [VideoEncoder: EncoderProbeResult]) {
        self.results = results
    }

    /// What a machine without GPU encoders and without gstreamer1.0-vaapi looks like.
    static func softwareOnly() -> FakeEncoderProber {
        FakeEncoderProber([
            .vah264enc: .failed(reason: VideoEncoder.vah264enc.missingWithPluginReason),
            .vaapih264enc: .notInstalled(debianPackage: "gstreamer1.0-vaapi"),
            .nvh264enc: .failed(reason: VideoEncoder.nvh264enc.missingWithPluginReason),
            .x264enc: .works,
            .openh264enc: .works,
        ])
    }

    var probed: [VideoEncoder] {
        tried.withLock { $0 }
    }

    func probe(_ encoder: VideoEncoder, bitrateKbps: Int, keyframeInterval: Int) -> EncoderProbeResult {
        tried.withLock { $0.append(encoder) }
        return results[encoder] ?? .notInstalled(debianPackage: encoder.debianPackage)
    }
}

extension MediaEnvironment {
    static func fake(display: String? = ":0", wayland: String? = nil,
                     x11: FakeX11Inventory = FakeX11Inventory(),
                     pipewire: FakePipeWireInventory = FakePipeWireInventory(),
                     audio: FakeSystemAudio = FakeSystemAudio(),
                     encoders: FakeEncoderProber = .softwareOnly(),
                     missingElements: Set<String> = [],
                     portal: FakePortalOpener = FakePortalOpener()) -> MediaEnvironment {
        var variables: [String: String] = [:]
        variables["DISPLAY"] = display
        variables["WAYLAND_DISPLAY"] = wayland
        return MediaEnvironment(variables: variables, x11: x11, pipewire: pipewire, audio: audio, encoders: encoders,
                                hasElement: { !missingElements.contains($0) }, portal: portal)
    }
}

extension ResolvedMedia {
    /// A resolution built directly, for launch-string tests.
    static func fixture(source: SourcePlan = .test, encoder: VideoEncoder = .x264enc, audio: AudioPlan = .testTone,
                        size: (Int, Int) = (1280, 720)) -> ResolvedMedia {
        ResolvedMedia(encoder: encoder.name, skippedEncoders: [], audio: audio,
                      captureSize: (width: size.0, height: size.1), summary: "", source: source, videoEncoder: encoder)
    }
}

/// A granted cast without a desktop: records whether it was closed.
final class FakePortalCast: PortalCast, Sendable {
    let stream: ScreenCastStream
    let pipeWireFD: Int32
    private let state = Mutex(State())

    private struct State {
        var closedByDesktop = false
        var handler: (@Sendable () -> Void)?
        var closeCount = 0
    }

    var closeCount: Int { state.withLock { $0.closeCount } }

    init(stream: ScreenCastStream = ScreenCastStream(node: 57, width: 1920, height: 1080, sourceType: 1), fd: Int32 = 23) {
        self.stream = stream
        pipeWireFD = fd
    }

    var wasClosedByDesktop: Bool { state.withLock { $0.closedByDesktop } }
    func onClosedByDesktop(_ handler: @escaping @Sendable () -> Void) { state.withLock { $0.handler = handler } }
    func close() { state.withLock { $0.closeCount += 1 } }

    /// The desktop's "stop sharing".
    func desktopStops() {
        let handler = state.withLock { state in
            state.closedByDesktop = true
            return state.handler
        }
        handler?()
    }
}

/// Answers portal requests with a fixed cast or error, counting them.
final class FakePortalOpener: PortalCastOpening, Sendable {
    let result: Result<FakePortalCast, MediaError>
    private let received = Mutex<[PortalCapture]>([])

    init(_ result: Result<FakePortalCast, MediaError> = .success(FakePortalCast())) {
        self.result = result
    }

    var requests: [PortalCapture] { received.withLock { $0 } }

    func open(_ capture: PortalCapture) throws -> any PortalCast {
        received.withLock { $0.append(capture) }
        return try result.get()
    }
}

/// Remembers the reason a capture ended with.
final class FakeEndNotice: Sendable {
    private let ended = Mutex<String?>(nil)

    var reason: String? {
        get { ended.withLock { $0 } }
        set { ended.withLock { $0 = newValue } }
    }
}
