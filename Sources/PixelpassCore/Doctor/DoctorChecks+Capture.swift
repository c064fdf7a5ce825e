/// Whether the X server named by DISPLAY answers.
enum X11DisplayState: Equatable, Sendable {
    case opens(width: Int?, height: Int?)
    case fails(reason: String)
    /// xwininfo (x11-utils) is missing; the host needs it too.
    case cannotAsk
}

extension DoctorChecks {
    static func probeX11Display(_ probes: DoctorProbes) -> X11DisplayState {
        switch probes.run("xwininfo", ["-root"], 3) {
        case let .success(outcome) where outcome.succeeded:
            return .opens(width: field("Width:", in: outcome.output), height: field("Height:", in: outcome.output))
        case let .success(outcome):
            return .fails(reason: outcome.failureLine)
        case .failure(.notInstalled):
            return .cannotAsk
        case let .failure(.couldNotStart(_, reason)):
            return .fails(reason: "xwininfo could not start: \(reason)")
        }
    }

    /// `  Width: 1280` in xwininfo's output.
    static func field(_ label: String, in text: String) -> Int? {
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.drop { $0 == " " }
            if trimmed.hasPrefix(label) {
                return Int(trimmed.dropFirst(label.count).drop { $0 == " " })
            }
        }
        return nil
    }

    /// The capture source this session would use, with every piece it needs.
    static func capture(session: SessionKind, x11: X11DisplayState?, portal: PortalState, pipeWire: PipeWireState,
                        canInstantiate: (String) -> Bool) -> DoctorCheck {
        switch session {
        case .none:
            return DoctorCheck(name: "capture", status: .fail,
                               detail: "no graphical session: neither WAYLAND_DISPLAY nor DISPLAY is set, so there is no screen to capture",
                               fix: "run inside your desktop session, or try `pixelpass host --source test` for the built-in test pattern")
        case let .x11(display):
            switch x11 ?? .cannotAsk {
            case .cannotAsk:
                return DoctorCheck(name: "capture", status: .fail, detail: "cannot inspect the X display \(display): xwininfo is not installed",
                                   fix: "apt install x11-utils")
            case let .fails(reason):
                return DoctorCheck(name: "capture", status: .fail, detail: "the X display \(display) does not open: \(reason)",
                                   fix: "check DISPLAY and that the X server runs (xwininfo -root); or try `pixelpass host --source test`")
            case let .opens(width, height):
                guard canInstantiate("ximagesrc") else {
                    return DoctorCheck(name: "capture", status: .fail, detail: "X display \(display) opens, but GStreamer has no ximagesrc",
                                       fix: "apt install gstreamer1.0-plugins-good")
                }
                let size = width.flatMap { w in height.map { " \(w)x\($0)" } } ?? ""
                return DoctorCheck(name: "capture", status: .ok, detail: "X11 screen\(size) on \(display) via ximagesrc")
            }
        case .wayland:
            let portalVersion: Int?
            switch portal {
            case let .available(version): portalVersion = version
            case .missing, .noBus, .unknown:
                return DoctorCheck(name: "capture", status: .fail,
                                   detail: "Wayland capture needs the ScreenCast portal, which is not available (see the portal row)",
                                   fix: "apt install xdg-desktop-portal and your desktop's backend; or try `pixelpass host --source test`")
            }
            let pipeWireVersion: String?
            switch pipeWire {
            case let .running(version): pipeWireVersion = version
            case .notRunning:
                return DoctorCheck(name: "capture", status: .fail,
                                   detail: "Wayland capture needs a running PipeWire daemon (see the pipewire row)",
                                   fix: "systemctl --user start pipewire")
            }
            guard canInstantiate("pipewiresrc") else {
                return DoctorCheck(name: "capture", status: .fail, detail: "the portal and PipeWire are there, but GStreamer has no pipewiresrc",
                                   fix: "apt install gstreamer1.0-pipewire")
            }
            return DoctorCheck(name: "capture", status: .ok,
                               detail: "Wayland screen via the ScreenCast portal" + (portalVersion.map { " v\($0)" } ?? "")
                                   + " and PipeWire" + (pipeWireVersion.map { " \($0)" } ?? "") + " (pipewiresrc)")
        }
    }
}
