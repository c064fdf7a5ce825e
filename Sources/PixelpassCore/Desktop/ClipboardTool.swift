/// A command-line clipboard writer and how to call it so it reads the text
/// from stdin into the CLIPBOARD selection (the one Ctrl+V pastes).
public struct ClipboardTool: Equatable, Sendable {
    public var name: String
    public var arguments: [String]
    public var debianPackage: String

    public static let wlCopy = ClipboardTool(name: "wl-copy", arguments: [], debianPackage: "wl-clipboard")
    public static let xclip = ClipboardTool(name: "xclip", arguments: ["-selection", "clipboard"], debianPackage: "xclip")
    public static let xsel = ClipboardTool(name: "xsel", arguments: ["--clipboard", "--input"], debianPackage: "xsel")

    /// The tools that can reach this session's clipboard, best first. Under
    /// Wayland the X tools work too when Xwayland runs (DISPLAY set): the
    /// compositor syncs its clipboard with Xwayland's.
    public static func candidates(for session: SessionKind, xDisplayAvailable: Bool) -> [ClipboardTool] {
        switch session {
        case .wayland: return xDisplayAvailable ? [.wlCopy, .xclip, .xsel] : [.wlCopy]
        case .x11: return [.xclip, .xsel]
        case .none: return []
        }
    }

    /// The session's tools that are installed, best first.
    public static func available(for session: SessionKind, xDisplayAvailable: Bool,
                                 isInstalled: (String) -> Bool) -> [ClipboardTool] {
        candidates(for: session, xDisplayAvailable: xDisplayAvailable).filter { isInstalled($0.name) }
    }

    /// What to tell a user who has none of the session's tools.
    public static func installHint(for session: SessionKind) -> String {
        switch session {
        case .wayland: return "install wl-clipboard (apt install wl-clipboard)"
        case .x11: return "install xclip or xsel (apt install xclip)"
        case .none: return "start pixelpass inside a graphical session"
        }
    }
}
