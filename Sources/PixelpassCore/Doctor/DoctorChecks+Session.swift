extension DoctorChecks {
    static func session(_ session: SessionKind) -> DoctorCheck {
        switch session {
        case .wayland, .x11:
            return DoctorCheck(name: "session", status: .ok, detail: session.summary)
        case .none:
            return DoctorCheck(name: "session", status: .warning, detail: session.summary,
                               fix: "run pixelpass inside your desktop session (a terminal there)")
        }
    }
}
