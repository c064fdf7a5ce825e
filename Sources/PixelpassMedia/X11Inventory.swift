import Foundation

struct X11Monitor: Sendable, Equatable {
    var name: String
    var area: X11Rect
    var primary: Bool

    /// "DP-1 (1920x1080+0+0)", for error messages.
    var label: String { "\(name) (\(area))" }
}

struct X11Window: Sendable, Equatable {
    var id: UInt64
    /// `_NET_WM_NAME` or `WM_NAME` as xwininfo prints it.
    var title: String
    /// Absolute position and size.
    var area: X11Rect
    /// Known only from `xwininfo -id`; the tree listing does not say.
    var viewable: Bool?

    /// "0x40000a 'xclock'", for error messages.
    var label: String { "\(Self.hex(id)) '\(title)'" }

    static func hex(_ id: UInt64) -> String { "0x" + String(id, radix: 16) }
}

/// The X server's monitors and windows. The live one runs xrandr and
/// xwininfo; tests inject fixed inventories.
protocol X11Inventory: Sendable {
    /// The root window's area; throws `displayUnavailable` when the display cannot be opened.
    func screen(display: String) throws -> X11Rect
    func monitors(display: String) throws -> [X11Monitor]
    /// Windows with a title, as candidates for sharing (viewable unknown).
    func windows(display: String) throws -> [X11Window]
    /// One window with its map state, or nil when there is no such window.
    func window(id: UInt64, display: String) throws -> X11Window?
}

/// Parsers for the text xrandr and xwininfo print (x11-xserver-utils 7.7,
/// x11-utils 7.7). Pure functions, tested against captured output.
enum X11Listing {
    /// `xrandr --listmonitors`:
    /// ```
    /// Monitors: 2
    ///  0: +*DP-1 1920/527x1080/296+0+0  DP-1
    ///  1: LEFT 640/169x720/190+0+0
    /// ```
    static func monitors(fromListMonitors text: String) -> [X11Monitor] {
        lines(text).compactMap { line -> X11Monitor? in
            guard let g = match(Pattern.monitor, line), let w = Int(g[3]), let h = Int(g[4]),
                  let x = Int(g[5]), let y = Int(g[6]) else { return nil }
            return X11Monitor(name: g[2], area: X11Rect(x: x, y: y, width: w, height: h), primary: g[1].contains("*"))
        }
    }

    /// `xwininfo -root -tree`: every window with a title, at any depth, e.g.
    /// `     0x40000a "xclock": ("xclock" "XClock")  201x151+10+10  +10+10`
    /// (relative geometry, then absolute position).
    static func windows(fromTree text: String) -> [X11Window] {
        lines(text).compactMap { line -> X11Window? in
            guard let g = match(Pattern.treeWindow, line), let id = parseWindowID(g[1]),
                  let w = Int(g[3]), let h = Int(g[4]), let x = signedInt(g[5]), let y = signedInt(g[6])
            else { return nil }
            return X11Window(id: id, title: unescape(g[2]), area: X11Rect(x: x, y: y, width: w, height: h), viewable: nil)
        }
    }

    /// `xwininfo -id ID` (also `-root`): title, absolute position, size and map state.
    static func window(fromInfo text: String) -> X11Window? {
        var id: UInt64?
        var title = ""
        var x: Int?, y: Int?, w: Int?, h: Int?
        var viewable: Bool?
        for line in lines(text) {
            if let g = match(Pattern.windowID, line) {
                id = parseWindowID(g[1])
                title = unescape(g[2])
            } else if let g = match(Pattern.absoluteX, line) {
                x = Int(g[1])
            } else if let g = match(Pattern.absoluteY, line) {
                y = Int(g[1])
            } else if let g = match(Pattern.width, line) {
                w = Int(g[1])
            } else if let g = match(Pattern.height, line) {
                h = Int(g[1])
            } else if let g = match(Pattern.mapState, line) {
                viewable = g[1] == "IsViewable"
            }
        }
        guard let id, let x, let y, let w, let h else { return nil }
        return X11Window(id: id, title: title, area: X11Rect(x: x, y: y, width: w, height: h), viewable: viewable)
    }

    /// "0x1e00007" or decimal.
    static func parseWindowID(_ text: String) -> UInt64? {
        let t = text.lowercased()
        return t.hasPrefix("0x") ? UInt64(t.dropFirst(2), radix: 16) : UInt64(t)
    }

    /// Windows a person could mean: titled, at least 16x16, not parked off
    /// screen the way toolkits hide their helper windows.
    static func plausible(_ window: X11Window) -> Bool {
        window.area.width >= 16 && window.area.height >= 16
            && window.area.x + window.area.width > 0 && window.area.y + window.area.height > 0
    }

    // MARK: - Helpers

    private static func lines(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).map(String.init)
    }

    private static func signedInt(_ text: String) -> Int? {
        // "+-5" appears for negative positions in some xwininfo versions.
        Int(text.replacingOccurrences(of: "+-", with: "-").replacingOccurrences(of: "+", with: ""))
    }

    /// xwininfo escapes '"' and '\' inside titles.
    private static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\\\", with: "\\")
    }

    /// Compiled once: a desktop's window tree runs to thousands of lines.
    /// NSRegularExpression is immutable and Sendable.
    private enum Pattern {
        static let monitor = compile(#"^\s*\d+:\s+([+*]*)(\S+)\s+(\d+)/\d+x(\d+)/\d+([+-]\d+)([+-]\d+)"#)
        static let treeWindow = compile(#"^\s*(0x[0-9a-fA-F]+) "(.*)": \(.*\)\s+(\d+)x(\d+)[+-]-?\d+[+-]-?\d+\s+([+-]-?\d+)([+-]-?\d+)\s*$"#)
        static let windowID = compile(#"Window id: (0x[0-9a-fA-F]+) (?:"(.*)"|\(.*\))\s*$"#)
        static let absoluteX = compile(#"^\s*Absolute upper-left X:\s+(-?\d+)"#)
        static let absoluteY = compile(#"^\s*Absolute upper-left Y:\s+(-?\d+)"#)
        static let width = compile(#"^\s*Width:\s+(\d+)"#)
        static let height = compile(#"^\s*Height:\s+(\d+)"#)
        static let mapState = compile(#"^\s*Map State:\s+(\w+)"#)

        private static func compile(_ pattern: String) -> NSRegularExpression {
            // The patterns are constants; a typo is a programming error.
            try! NSRegularExpression(pattern: pattern)
        }
    }

    /// Capture groups of the first match (group 0 is the whole match);
    /// groups that did not take part are "".
    private static func match(_ regex: NSRegularExpression, _ line: String) -> [String]? {
        guard let result = regex.firstMatch(in: line, range: NSRange(line.startIndex..., in: line))
        else { return nil }
        return (0 ..< result.numberOfRanges).map { index in
            Range(result.range(at: index), in: line).map { String(line[$0]) } ?? ""
        }
    }
}

/// Asks the X server through xrandr and xwininfo, which pixelpass runs
/// instead of linking Xlib and RandR for a handful of queries.
struct CommandLineX11Inventory: X11Inventory {
    var runner = CommandRunner()

    func screen(display: String) throws -> X11Rect {
        let output = try xwininfo(["-display", display, "-root"], display: display)
        guard let root = X11Listing.window(fromInfo: output) else {
            throw MediaError.displayUnavailable(display: display, reason: "xwininfo printed no root window geometry")
        }
        return root.area
    }

    func monitors(display: String) throws -> [X11Monitor] {
        let result = try runner.run("xrandr", ["-display", display, "--listmonitors"],
                                    ifMissing: .toolMissing(tool: "xrandr", purpose: "list X11 monitors", debianPackage: "x11-xserver-utils"))
        guard result.status == 0 else {
            throw MediaError.displayUnavailable(display: display, reason: result.failureText)
        }
        return X11Listing.monitors(fromListMonitors: result.output)
    }

    func windows(display: String) throws -> [X11Window] {
        X11Listing.windows(fromTree: try xwininfo(["-display", display, "-root", "-tree"], display: display))
    }

    func window(id: UInt64, display: String) throws -> X11Window? {
        let result = try runner.run("xwininfo", ["-display", display, "-id", X11Window.hex(id)], ifMissing: Self.xwininfoMissing)
        if result.status != 0 {
            let text = result.failureText
            if text.contains("unable to open display") {
                throw MediaError.displayUnavailable(display: display, reason: text)
            }
            return nil // "No such window", BadWindow, BadDrawable
        }
        return X11Listing.window(fromInfo: result.output)
    }

    private static let xwininfoMissing = MediaError.toolMissing(tool: "xwininfo", purpose: "find X11 windows", debianPackage: "x11-utils")

    private func xwininfo(_ arguments: [String], display: String) throws -> String {
        let result = try runner.run("xwininfo", arguments, ifMissing: Self.xwininfoMissing)
        guard result.status == 0 else {
            throw MediaError.displayUnavailable(display: display, reason: result.failureText)
        }
        return result.output
    }
}
