/// What an X11 display offers to share, for the interactive menu's list:
/// the whole screen, each monitor, each titled window.
public struct X11ShareTargets: Sendable {
    public struct Monitor: Sendable, Equatable {
        public var name: String
        /// "DP-1 (1920x1080+0+0)".
        public var label: String
    }

    public struct Window: Sendable, Equatable {
        public var id: UInt64
        /// "0x40000a 'xclock' (164x164)".
        public var label: String
    }

    public var display: String
    /// "1920x1080".
    public var screenSize: String
    public var monitors: [Monitor]
    public var windows: [Window]

    /// Asks the X server; throws `MediaError` when the display cannot be opened.
    public static func list(display: String) throws -> X11ShareTargets {
        let inventory = CommandLineX11Inventory()
        let screen = try inventory.screen(display: display)
        let monitors = (try? inventory.monitors(display: display)) ?? []
        let windows = ((try? inventory.windows(display: display)) ?? []).filter(X11Listing.plausible)
        return X11ShareTargets(
            display: display, screenSize: "\(screen.width)x\(screen.height)",
            monitors: monitors.map { Monitor(name: $0.name, label: $0.label) },
            windows: windows.map { Window(id: $0.id, label: "\($0.label) (\($0.area.width)x\($0.area.height))") })
    }

    /// "0x40000a", the form `--window` takes.
    public static func hex(_ id: UInt64) -> String { X11Window.hex(id) }
}
