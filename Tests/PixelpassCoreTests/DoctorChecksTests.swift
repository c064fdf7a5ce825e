import XCTest
import PixelpassMedia
@testable import PixelpassCore

final class DoctorChecksTests: XCTestCase {
    // MARK: the whole run

    func testX11DesktopCanShare() {
        let report = Doctor.run(FakeMachine.x11Desktop.probes)
        XCTAssertTrue(report.sharingCanWork, report.renderText())
        XCTAssertEqual(report.check(named: "session")?.detail, "X11 (DISPLAY=:5)")
        XCTAssertEqual(report.check(named: "capture")?.detail, "X11 screen 1280x720 on :5 via ximagesrc")
        XCTAssertEqual(report.check(named: "h264 encoder")?.detail, "x264enc (software) will be used")
        XCTAssertEqual(report.check(named: "x264enc")?.status, .ok)
        XCTAssertEqual(report.check(named: "vah264enc")?.status, .info)
        XCTAssertEqual(report.check(named: "va-api")?.status, .warning)
        XCTAssertEqual(report.check(named: "audio")?.detail, "PulseAudio (on PipeWire 0.3.65); system audio from sink.monitor")
        XCTAssertEqual(report.check(named: "players")?.detail, "mpv")
        XCTAssertEqual(report.check(named: "clipboard")?.detail, "xclip")
        // No bus: the portal only warns on X11.
        XCTAssertEqual(report.check(named: "portal")?.status, .warning)
    }

    func testNoSessionFailsWithTheTestPatternHint() {
        var machine = FakeMachine.x11Desktop
        machine.environment = [:]
        let report = Doctor.run(machine.probes)
        XCTAssertFalse(report.sharingCanWork)
        let capture = report.check(named: "capture")
        XCTAssertEqual(capture?.status, .fail)
        XCTAssertTrue(capture?.detail.hasPrefix("no graphical session") ?? false)
        XCTAssertTrue(capture?.fix?.contains("pixelpass host --source test") ?? false)
        XCTAssertEqual(report.checks.filter { $0.status == .fail }.map(\.name), ["capture"])
    }

    func testNoWorkingEncoderFails() {
        var machine = FakeMachine.x11Desktop
        machine.workingEncoders = []
        let report = Doctor.run(machine.probes)
        XCTAssertFalse(report.sharingCanWork)
        XCTAssertEqual(report.check(named: "h264 encoder")?.status, .fail)
        // With nothing working, the unavailable encoders are warnings, not info.
        XCTAssertEqual(report.check(named: "x264enc")?.status, .warning)
        XCTAssertEqual(report.check(named: "x264enc")?.fix, "apt install gstreamer1.0-plugins-bad")
    }

    func testHardwareEncoderIsPreferred() {
        let rows = DoctorChecks.encoders(MediaDiagnostics.h264Encoders) { $0 == "vah264enc" || $0 == "x264enc" ? .works : .failed(reason: "no") }
        XCTAssertEqual(rows[0].detail, "vah264enc (hardware) will be used")
        XCTAssertEqual(rows.count, 1 + MediaDiagnostics.h264Encoders.count)
    }

    // MARK: capture

    func testX11DisplayThatDoesNotOpenFails() {
        var machine = FakeMachine.x11Desktop
        machine.outcomes["xwininfo -root"] = ToolOutcome(status: 1, errors: "xwininfo: error: unable to open display \":5\"\n")
        let capture = Doctor.run(machine.probes).check(named: "capture")
        XCTAssertEqual(capture?.status, .fail)
        XCTAssertEqual(capture?.detail, "the X display :5 does not open: xwininfo: error: unable to open display \":5\"")
    }

    func testMissingXimagesrcFailsCapture() {
        var machine = FakeMachine.x11Desktop
        machine.elements.remove("ximagesrc")
        let capture = Doctor.run(machine.probes).check(named: "capture")
        XCTAssertEqual(capture?.status, .fail)
        XCTAssertEqual(capture?.fix, "apt install gstreamer1.0-plugins-good")
    }

    func testWaylandNeedsPortalAndPipeWire() {
        var machine = FakeMachine()
        machine.environment = ["WAYLAND_DISPLAY": "wayland-0", "DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/1000/bus",
                               "XDG_RUNTIME_DIR": "/run/user/1000"]
        machine.tools = ["gdbus", "pw-cli", "wl-copy"]
        machine.outcomes["gdbus introspect --session --dest org.freedesktop.portal.Desktop --object-path /org/freedesktop/portal/desktop"] =
            ToolOutcome(status: 1, errors: "Error: GDBus.Error:org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.portal.Desktop was not provided by any .service files\n")
        machine.outcomes["pw-cli info 0"] = ToolOutcome(status: 0, output: "\tid: 0\n\tversion: \"0.3.65\"\n")
        var report = Doctor.run(machine.probes)
        XCTAssertEqual(report.check(named: "portal")?.status, .fail)
        XCTAssertEqual(report.check(named: "portal")?.detail, "ScreenCast portal missing: xdg-desktop-portal is not installed or not running")
        XCTAssertEqual(report.check(named: "capture")?.status, .fail)
        XCTAssertEqual(report.check(named: "clipboard")?.detail, "wl-copy")

        machine.outcomes["gdbus introspect --session --dest org.freedesktop.portal.Desktop --object-path /org/freedesktop/portal/desktop"] =
            ToolOutcome(status: 0, output: Self.portalIntrospection)
        report = Doctor.run(machine.probes)
        XCTAssertEqual(report.check(named: "portal")?.detail, "ScreenCast portal available (version 4)")
        XCTAssertEqual(report.check(named: "pipewire")?.detail, "PipeWire daemon reachable (version 0.3.65)")
        XCTAssertEqual(report.check(named: "capture")?.status, .ok)
        XCTAssertEqual(report.check(named: "capture")?.detail, "Wayland screen via the ScreenCast portal v4 and PipeWire 0.3.65 (pipewiresrc)")
        XCTAssertTrue(report.sharingCanWork, report.renderText())

        machine.outcomes["pw-cli info 0"] = ToolOutcome(status: 255, errors: "Error: \"failed to connect: Host is down\"\n")
        report = Doctor.run(machine.probes)
        XCTAssertEqual(report.check(named: "pipewire")?.status, .fail)
        XCTAssertEqual(report.check(named: "capture")?.status, .fail)
    }

    static let portalIntrospection = """
    node /org/freedesktop/portal/desktop {
      interface org.freedesktop.portal.Screenshot {
        properties:
          readonly u version = 2;
      };
      interface org.freedesktop.portal.ScreenCast {
        methods:
          CreateSession(in  a{sv} options,
                        out o handle);
        properties:
          readonly u AvailableSourceTypes = 7;
          readonly u AvailableCursorModes = 7;
          readonly u version = 4;
      };
    };
    """

    // MARK: portal probing

    func testPortalWithoutBusPointsAtTheSocket() {
        var machine = FakeMachine()
        machine.environment = ["XDG_RUNTIME_DIR": "/run/user/1000"]
        machine.files = ["/run/user/1000/bus"]
        XCTAssertEqual(DoctorChecks.probePortal(machine.probes),
                       .noBus(reason: "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set); a bus socket exists: export DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1000/bus"))
    }

    func testPortalFallsBackToBusctl() {
        var machine = FakeMachine()
        machine.environment = ["DBUS_SESSION_BUS_ADDRESS": "unix:path=/x"]
        machine.tools = ["busctl"]
        machine.outcomes["busctl --user introspect org.freedesktop.portal.Desktop /org/freedesktop/portal/desktop"] =
            ToolOutcome(status: 0, output: "org.freedesktop.portal.ScreenCast   interface -  -  -\n.CreateSession  method  a{sv}  o  -\n")
        XCTAssertEqual(DoctorChecks.probePortal(machine.probes), .available(version: nil))
        machine.tools = []
        XCTAssertEqual(DoctorChecks.probePortal(machine.probes), .unknown(reason: "neither gdbus nor busctl is installed to ask D-Bus"))
    }

    func testPortalWithoutScreenCastBackend() {
        XCTAssertEqual(DoctorChecks.portalState(from: ToolOutcome(status: 0, output: "interface org.freedesktop.portal.Settings {\n};\n")),
                       .missing(reason: "the portal runs but no backend offers ScreenCast"))
    }

    func testPipeWireSocketIsTheFallbackWithoutPwCli() {
        var machine = FakeMachine()
        machine.environment = ["XDG_RUNTIME_DIR": "/run/user/7"]
        XCTAssertEqual(DoctorChecks.probePipeWire(machine.probes), .notRunning(reason: "no PipeWire socket at /run/user/7/pipewire-0"))
        machine.files = ["/run/user/7/pipewire-0"]
        XCTAssertEqual(DoctorChecks.probePipeWire(machine.probes), .running(version: nil))
    }

    // MARK: VA-API

    func testVAAPIRows() {
        XCTAssertEqual(DoctorChecks.vaapi(.noDevices).detail, "no VA-API device: hardware encoding unavailable, software encoder is used")
        XCTAssertEqual(DoctorChecks.vaapi(.noDevices).status, .warning)
        XCTAssertTrue(DoctorChecks.vaapi(.libraryMissing("libva.so.2")).detail.hasPrefix("libva not installed (apt install libva2 libva-drm2)"))
        let intel = VAAPIDevice(path: "/dev/dri/renderD128", vendor: "Intel iHD driver", h264EncodeProfiles: ["Main", "High"])
        XCTAssertEqual(DoctorChecks.vaapi(.devices([intel])),
                       DoctorCheck(name: "va-api", status: .ok, detail: "/dev/dri/renderD128 (Intel iHD driver): H.264 encode Main, High"))
        let decodeOnly = VAAPIDevice(path: "/dev/dri/renderD128", vendor: "Mesa Gallium driver")
        let denied = VAAPIDevice(path: "/dev/dri/renderD129", error: "cannot open: Permission denied")
        let row = DoctorChecks.vaapi(.devices([decodeOnly, denied]))
        XCTAssertEqual(row.status, .warning)
        XCTAssertEqual(row.detail, "/dev/dri/renderD128: Mesa Gallium driver has no H.264 encode entrypoint; /dev/dri/renderD129: cannot open: Permission denied; software encoder is used")
    }

    func testVAAPIProbeOnThisMachine() throws {
        // The real libva: this machine has no render node, so the probe must
        // say so rather than crash or hang.
        guard VAAPIProbe.renderNodes().isEmpty else { throw XCTSkip("this machine has a GPU") }
        let inventory = VAAPIProbe.inventory()
        XCTAssertTrue(inventory == .noDevices || inventory == .libraryMissing("libva.so.2"), "\(inventory)")
        // A node that is not a DRM device must give an error, not a crash.
        if inventory == .noDevices {
            guard case let .devices(devices) = VAAPIProbe.inventory(renderNodes: ["/dev/null"]) else { return XCTFail("no device list") }
            XCTAssertNotNil(devices.first?.error)
        }
    }

    // MARK: elements, audio, players, clipboard

    func testMissingRequiredElementFails() {
        let row = DoctorChecks.gstreamerElements { $0 != "h264parse" && $0 != "pulsesrc" }
        XCTAssertEqual(row.status, .fail)
        XCTAssertEqual(row.detail, "9 of 11 elements instantiate; missing: h264parse (required), pulsesrc")
        XCTAssertEqual(row.fix, "apt install gstreamer1.0-plugins-bad gstreamer1.0-plugins-good")
        let optional = DoctorChecks.gstreamerElements { $0 != "avenc_aac" && $0 != "voaacenc" }
        XCTAssertEqual(optional.status, .warning)
        XCTAssertEqual(optional.fix, "apt install gstreamer1.0-libav")
    }

    func testAudioRows() {
        var machine = FakeMachine.x11Desktop
        machine.audio = .unavailable(reason: "the sound server has no default output")
        XCTAssertEqual(DoctorChecks.audio(machine.probes).status, .warning)
        machine.outcomes["pactl info"] = ToolOutcome(status: 1, errors: "Connection failure: Connection refused\n")
        XCTAssertEqual(DoctorChecks.audio(machine.probes).detail,
                       "no sound server answered (Connection failure: Connection refused): streams will have no audio")
        machine.tools.remove("pactl")
        XCTAssertEqual(DoctorChecks.audio(machine.probes).fix, "apt install pulseaudio-utils")
        XCTAssertEqual(DoctorChecks.pactlInfo(FakeMachine.pactlInfo.output).defaultSink, "alsa_output.pci")
    }

    func testPlayerRows() {
        let plugin = VLCPlugins.Missing(purpose: "MPEG-TS demuxer", file: "demux/libts_plugin.so", debianPackage: "vlc-plugin-base")
        XCTAssertEqual(DoctorChecks.players(isInstalled: { _ in false }, vlcMissingPlugin: { nil }).status, .warning)
        XCTAssertEqual(DoctorChecks.players(isInstalled: { $0 == "cvlc" }, vlcMissingPlugin: { nil }).detail, "cvlc")
        let broken = DoctorChecks.players(isInstalled: { $0 == "vlc" }, vlcMissingPlugin: { plugin })
        XCTAssertEqual(broken.status, .warning)
        XCTAssertEqual(broken.fix, "apt install vlc-plugin-base (or apt install mpv)")
        let both = DoctorChecks.players(isInstalled: { $0 == "vlc" || $0 == "mpv" }, vlcMissingPlugin: { plugin })
        XCTAssertEqual(both.status, .ok)
        XCTAssertEqual(both.detail, "mpv, vlc (cannot play: its MPEG-TS demuxer plugin demux/libts_plugin.so is missing)")
    }

    func testClipboardRows() {
        XCTAssertEqual(DoctorChecks.clipboard(session: .x11(display: ":0"), tools: []).fix, "install xclip or xsel (apt install xclip)")
        XCTAssertEqual(DoctorChecks.clipboard(session: .x11(display: ":0"), tools: [.xclip, .xsel]).detail, "xclip (also xsel)")
        XCTAssertEqual(DoctorChecks.clipboard(session: .none, tools: []).status, .warning)
    }
}
