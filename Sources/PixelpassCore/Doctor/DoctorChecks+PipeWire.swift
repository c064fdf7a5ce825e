import Foundation

/// Whether a PipeWire daemon answers.
enum PipeWireState: Equatable, Sendable {
    case running(version: String?)
    case notRunning(reason: String)
}

extension DoctorChecks {
    /// `pw-cli info 0` asks the daemon's core object; without pw-cli the
    /// socket's presence is the best hint.
    static func probePipeWire(_ probes: DoctorProbes) -> PipeWireState {
        let socket = (probes.variable("XDG_RUNTIME_DIR") ?? "/run/user/0") + "/" + (probes.variable("PIPEWIRE_REMOTE") ?? "pipewire-0")
        switch probes.run("pw-cli", ["info", "0"], 2) {
        case let .success(outcome) where outcome.succeeded:
            return .running(version: pipeWireVersion(info: outcome.output))
        case let .success(outcome):
            return .notRunning(reason: "pw-cli: \(outcome.failureLine)")
        case .failure(.notInstalled), .failure(.couldNotStart):
            return probes.fileExists(socket)
                ? .running(version: nil)
                : .notRunning(reason: "no PipeWire socket at \(socket)")
        }
    }

    /// `version: "0.3.65"` in `pw-cli info 0`.
    static func pipeWireVersion(info text: String) -> String? {
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.drop { $0 == " " || $0 == "\t" || $0 == "*" }
            guard trimmed.hasPrefix("version:") else { continue }
            let value = trimmed.dropFirst("version:".count).trimmingCharacters(in: .whitespaces)
            return value.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return nil
    }

    static func pipeWire(_ state: PipeWireState, session: SessionKind) -> DoctorCheck {
        switch state {
        case let .running(version):
            return DoctorCheck(name: "pipewire", status: .ok,
                               detail: "PipeWire daemon reachable" + (version.map { " (version \($0))" } ?? ""))
        case let .notRunning(reason):
            let status: DoctorStatus
            let why: String
            switch session {
            case .wayland: status = .fail; why = "Wayland screen capture needs it"
            case .x11, .none: status = .warning; why = "only Wayland capture needs it"
            }
            return DoctorCheck(name: "pipewire", status: status, detail: "no PipeWire daemon: \(reason) (\(why))",
                               fix: "systemctl --user start pipewire (apt install pipewire)")
        }
    }
}
