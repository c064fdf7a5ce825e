import PixelpassCore

/// What the host's live status shows. Pure: `lines(width:style:)` renders
/// it for the current terminal width, so a resize only needs a redraw.
public struct HostScreen: Sendable {
    public var ticket: String
    /// "copied to the clipboard (xclip)" or why not.
    public var clipboard: ClipboardLine
    public var capture: String
    public var maxViewers: Int
    public var status: HostStatus?
    /// bit/s per viewer id, and in total, since the previous sample.
    public var viewerRates: [String: Double] = [:]
    public var uploadRate: Double = 0
    /// Latest events, newest last.
    public var messages: [String] = []
    /// A question waiting for a key (which viewer to kick).
    public var prompt: String?
    /// New viewers wait for an answer (`--approve`, t toggles it).
    public var approving = false
    /// Viewers waiting for an answer, first asked first.
    public var waiting: [WaitingViewer] = []

    public struct WaitingViewer: Sendable, Equatable {
        public var id: String
        public var name: String?
        public var address: String

        public init(id: String, name: String?, address: String) {
            self.id = id
            self.name = name
            self.address = address
        }
    }

    /// "alice (3f2a0001)", or the id alone.
    public static func label(id: String, name: String?) -> String {
        name.map { "\($0) (\(id))" } ?? id
    }

    public enum ClipboardLine: Sendable, Equatable {
        case copied(tool: String)
        case notCopied(reason: String)
    }

    /// "2.4 Mbit/s · 1280x720 at 30 fps (adaptive, up to 4.0 Mbit/s)".
    static func videoLine(_ encoder: EncoderStatus) -> String {
        let rate = Units.bitrate(Double(encoder.bitrateKbps) * 1000)
        switch encoder.mode {
        case .fixed: return "\(rate) · \(encoder.picture) (fixed)"
        case .adaptive: return "\(rate) · \(encoder.picture) (adaptive, up to \(Units.bitrate(Double(encoder.ceilingKbps) * 1000)))"
        }
    }

    /// "alice 3f2a0001": the name (cut to fit) before the id.
    static func viewerCell(_ viewer: HostViewerStatus) -> String {
        guard let name = viewer.name else { return viewer.id }
        return "\(name.prefix(8)) \(viewer.id)"
    }

    /// What the viewer's link takes, or "keyframes" when it is below the floor.
    static func linkCell(_ viewer: HostViewerStatus) -> String {
        if viewer.belowFloor { return "keyframes" }
        return viewer.estimatedBitsPerSecond > 0 ? Units.bitrate(viewer.estimatedBitsPerSecond) : "-"
    }

    public static let tableWidth = 79
    public static let minimumWidth = 30
    static let keepMessages = 4

    public init(ticket: String, clipboard: ClipboardLine, capture: String, maxViewers: Int) {
        self.ticket = ticket
        self.clipboard = clipboard
        self.capture = capture
        self.maxViewers = maxViewers
    }

    public mutating func note(_ message: String) {
        messages.append(message)
        if messages.count > Self.keepMessages { messages.removeFirst(messages.count - Self.keepMessages) }
    }

    public func lines(width: Int, style: TextStyle) -> [String] {
        var out: [String] = [style.bold(fit("pixelpass · sharing your screen", width)),
                             fit("Ticket — send this line to your friend:", width),
                             // Never cut: it soft-wraps, and copying it from the terminal still works.
                             style.cyan(ticket)]
        switch clipboard {
        case .copied(let tool): out.append(style.green(fit("✓ copied to the clipboard (\(tool))", width)))
        case .notCopied(let reason): out.append(style.yellow(fit("! not copied to the clipboard: \(reason)", width)))
        }
        out.append("")
        guard width >= Self.minimumWidth else {
            out.append(fit("(widen the terminal to see the status)", width))
            if let first = waiting.first {
                out.append(style.bold(fit("\(Self.label(id: first.id, name: first.name)) wants to watch: a allow · d deny", width)))
            }
            out.append(fit("k kick · c copy · q stop", width))
            return out
        }
        let viewers = status?.viewers ?? []
        out.append(fit("Capture: \(capture)", width))
        let running = (status?.capturing ?? false) ? "capturing" : "idle until someone watches"
        out.append(fit("Upload:  \(Units.bitrate(uploadRate)) · \(viewers.count) of \(maxViewers) viewers · \(running)", width))
        if let encoder = status?.encoder, status?.capturing ?? false {
            out.append(fit("Video:   " + Self.videoLine(encoder), width))
            if encoder.limit == .uplink {
                out.append(style.yellow(fit("! the network is the limit: \(Units.bitrate(Double(encoder.bitrateKbps) * 1000)) of "
                                            + "\(Units.bitrate(Double(encoder.ceilingKbps) * 1000)) allowed", width)))
            }
        }
        out.append("")
        if viewers.isEmpty {
            out.append(style.dim(fit("No viewers yet: waiting for your friend to paste the ticket.", width)))
        } else if width >= Self.tableWidth {
            out.append(style.bold(fit(" #  " + cell("VIEWER", 18) + cell("SINCE", 8) + cell("BITRATE", 12)
                                      + cell("LINK", 10) + cell("LAG", 7) + cell("PATH", 8) + "RTT", width)))
            for (index, viewer) in viewers.enumerated() {
                let rate = viewerRates[viewer.id] ?? 0
                let row = cell(" \(index + 1)", 4) + cell(Self.viewerCell(viewer), 18)
                    + cell(Units.duration(viewer.connectedSeconds), 8)
                    + cell(viewer.streams == 0 ? "not playing" : Units.bitrate(rate), 12)
                    + cell(Self.linkCell(viewer), 10)
                    + cell(Units.lag(bytes: viewer.lagBytes, bitsPerSecond: rate), 7)
                    + cell(viewer.path.rawValue, 8) + Units.milliseconds(viewer.roundTripMilliseconds)
                out.append(fit(row, width))
            }
        } else {
            for (index, viewer) in viewers.enumerated() {
                let rate = viewerRates[viewer.id] ?? 0
                out.append(fit("\(index + 1) \(Self.viewerCell(viewer)) \(Units.bitrate(rate)) \(viewer.path.rawValue) "
                               + Units.milliseconds(viewer.roundTripMilliseconds), width))
            }
        }
        if viewers.contains(where: \.belowFloor) {
            out.append(style.dim(fit("keyframes: that viewer's link is below the floor; it gets fewer pictures", width)))
        }
        out.append("")
        out += messages.map { style.dim(fit($0, width)) }
        if let prompt {
            out.append(style.bold(fit(prompt, width)))
        } else if let first = waiting.first {
            let more = waiting.count > 1 ? " (\(waiting.count - 1) more waiting)" : ""
            out.append(style.bold(fit("\(Self.label(id: first.id, name: first.name)) from \(first.address) wants to watch"
                                      + more + " — a allow · d deny", width)))
        } else {
            out.append(fit("k kick · c copy · r new ticket · t ask first: \(approving ? "on" : "off") · q stop", width))
        }
        return out
    }
}
