/// Which graphical session pixelpass runs in, read from the environment the
/// way desktop tools do: a Wayland compositor sets WAYLAND_DISPLAY, an X
/// server DISPLAY. Under Wayland both are usually set (Xwayland), and the
/// Wayland one is what the user sees, so it wins.
public enum SessionKind: Equatable, Sendable {
    case wayland(display: String)
    case x11(display: String)
    case none

    public static func detect(environment: [String: String]) -> SessionKind {
        let wayland = nonEmpty(environment["WAYLAND_DISPLAY"])
        let x11 = nonEmpty(environment["DISPLAY"])
        let hint = environment["XDG_SESSION_TYPE"]?.lowercased()
        switch (wayland, x11) {
        case let (wayland?, x11?):
            // Both set while logind says "x11": a Wayland compositor nested
            // in an X session; the X desktop is the one to share.
            return hint == "x11" ? .x11(display: x11) : .wayland(display: wayland)
        case let (wayland?, nil):
            return .wayland(display: wayland)
        case let (nil, x11?):
            return .x11(display: x11)
        case (nil, nil):
            // XDG_SESSION_TYPE alone names no socket to talk to (e.g. an ssh
            // login into a machine whose desktop runs elsewhere).
            return .none
        }
    }

    /// "Wayland", "X11" or "no graphical session".
    public var label: String {
        switch self {
        case .wayland: return "Wayland"
        case .x11: return "X11"
        case .none: return "no graphical session"
        }
    }

    /// The label with the display name, e.g. "X11 (DISPLAY=:0)".
    public var summary: String {
        switch self {
        case let .wayland(display): return "\(label) (WAYLAND_DISPLAY=\(display))"
        case let .x11(display): return "\(label) (DISPLAY=\(display))"
        case .none: return "\(label) (neither WAYLAND_DISPLAY nor DISPLAY is set)"
        }
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}
