import Foundation

/// Whether the desktop portal offers screen casting.
enum PortalState: Equatable, Sendable {
    /// `version` is the ScreenCast interface's version property, when shown.
    case available(version: Int?)
    /// The portal runs (or could be started) but offers no ScreenCast.
    case missing(reason: String)
    /// No session bus: nothing can be asked.
    case noBus(reason: String)
    /// The bus did not answer usefully, or no D-Bus tool is installed.
    case unknown(reason: String)
}

extension DoctorChecks {
    static let portalBusName = "org.freedesktop.portal.Desktop"
    static let portalPath = "/org/freedesktop/portal/desktop"
    static let screenCastInterface = "org.freedesktop.portal.ScreenCast"

    /// Introspects the portal object with gdbus (or busctl): activation
    /// starts xdg-desktop-portal if it is installed but not yet running.
    static func probePortal(_ probes: DoctorProbes) -> PortalState {
        guard probes.variable("DBUS_SESSION_BUS_ADDRESS") != nil else {
            var reason = "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)"
            if let runtime = probes.variable("XDG_RUNTIME_DIR"), probes.fileExists("\(runtime)/bus") {
                reason += "; a bus socket exists: export DBUS_SESSION_BUS_ADDRESS=unix:path=\(runtime)/bus"
            }
            return .noBus(reason: reason)
        }
        let gdbus = probes.run("gdbus", ["introspect", "--session", "--dest", portalBusName, "--object-path", portalPath], 3)
        switch gdbus {
        case let .success(outcome):
            return portalState(from: outcome)
        case .failure(.notInstalled):
            switch probes.run("busctl", ["--user", "introspect", portalBusName, portalPath], 3) {
            case let .success(outcome): return portalState(from: outcome)
            case .failure(.notInstalled): return .unknown(reason: "neither gdbus nor busctl is installed to ask D-Bus")
            case let .failure(.couldNotStart(tool, reason)): return .unknown(reason: "\(tool) could not start: \(reason)")
            }
        case let .failure(.couldNotStart(tool, reason)):
            return .unknown(reason: "\(tool) could not start: \(reason)")
        }
    }

    /// Reads gdbus's or busctl's introspection: both name each interface.
    static func portalState(from outcome: ToolOutcome) -> PortalState {
        guard outcome.succeeded else {
            let line = outcome.failureLine
            if line.contains("ServiceUnknown") || line.contains("not provided by any .service files") {
                return .missing(reason: "xdg-desktop-portal is not installed or not running")
            }
            if line.contains("Cannot autolaunch") || line.contains("Could not connect") || (line.contains("connect") && line.contains("bus")) {
                return .noBus(reason: "the D-Bus session bus does not answer: \(line)")
            }
            return .unknown(reason: "asking the portal failed: \(line)")
        }
        guard outcome.output.contains(screenCastInterface) else {
            return .missing(reason: "the portal runs but no backend offers ScreenCast")
        }
        return .available(version: screenCastVersion(introspection: outcome.output))
    }

    /// `readonly u version = 4;` inside the ScreenCast block of gdbus's output.
    static func screenCastVersion(introspection text: String) -> Int? {
        guard let start = text.range(of: "interface \(screenCastInterface) {") else { return nil }
        // The block ends at its own "};" line; method signatures such as
        // "a{sv}" contain braces too.
        for line in text[start.upperBound...].split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed == "};" { break }
            let words = trimmed.split(separator: " ")
            if words.count == 5, words[0] == "readonly", words[2] == "version", words[3] == "=" {
                return Int(words[4].dropLast(words[4].hasSuffix(";") ? 1 : 0))
            }
        }
        return nil
    }

    /// Required under Wayland (the only way to capture), optional elsewhere.
    static func portal(_ state: PortalState, session: SessionKind) -> DoctorCheck {
        let notAvailable: DoctorStatus
        let suffix: String
        switch session {
        case .wayland: notAvailable = .fail; suffix = ""
        case .x11: notAvailable = .warning; suffix = " (not needed on X11)"
        case .none: notAvailable = .warning; suffix = ""
        }
        let installFix = "apt install xdg-desktop-portal and your desktop's backend (xdg-desktop-portal-gnome, -kde or -wlr)"
        switch state {
        case let .available(version):
            return DoctorCheck(name: "portal", status: .ok,
                               detail: "ScreenCast portal available" + (version.map { " (version \($0))" } ?? ""))
        case let .missing(reason):
            return DoctorCheck(name: "portal", status: notAvailable, detail: "ScreenCast portal missing: \(reason)\(suffix)", fix: installFix)
        case let .noBus(reason):
            return DoctorCheck(name: "portal", status: notAvailable,
                               detail: "cannot look for the ScreenCast portal: \(reason)\(suffix)",
                               fix: "run pixelpass inside your desktop session, where a session bus runs")
        case let .unknown(reason):
            return DoctorCheck(name: "portal", status: notAvailable, detail: "ScreenCast portal unknown: \(reason)\(suffix)",
                               fix: "apt install libglib2.0-bin (for gdbus), then run doctor again")
        }
    }
}
