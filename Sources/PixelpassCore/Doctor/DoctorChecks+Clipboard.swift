extension DoctorChecks {
    /// The host copies the ticket for you when a tool is there.
    static func clipboard(session: SessionKind, tools: [ClipboardTool]) -> DoctorCheck {
        switch session {
        case .none:
            return DoctorCheck(name: "clipboard", status: .warning, detail: "no graphical session: nothing to copy to")
        case .wayland, .x11:
            guard let first = tools.first else {
                return DoctorCheck(name: "clipboard", status: .warning,
                                   detail: "no clipboard tool for \(session.label): tickets must be copied by hand",
                                   fix: ClipboardTool.installHint(for: session))
            }
            let others = tools.dropFirst().map(\.name)
            return DoctorCheck(name: "clipboard", status: .ok,
                               detail: first.name + (others.isEmpty ? "" : " (also \(others.joined(separator: ", ")))"))
        }
    }
}
