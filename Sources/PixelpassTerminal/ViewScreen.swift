import PixelpassCore

/// What the viewer's live status shows. Pure, like `HostScreen`.
public struct ViewScreen: Sendable {
    public enum Phase: Sendable, Equatable {
        case connecting(target: String, frame: Int)
        case watching(url: String)
        case ended(String)
    }

    public enum PlayerState: Sendable, Equatable {
        case none
        case running(name: String)
        case closed(name: String)
        case failed(String)
    }

    /// The players offered by `p`, while the user picks one.
    public struct PlayerPicker: Sendable, Equatable {
        /// Players that can run here, in order.
        public var offered: [PlayerChoice]
        /// Why others are not offered ("VLC refuses to run as root …").
        public var notes: [String]

        public init(offered: [PlayerChoice], notes: [String]) {
            self.offered = offered
            self.notes = notes
        }

        /// The key that picks `choice`.
        public static func letter(_ choice: PlayerChoice) -> Character {
            switch choice {
            case .mpv: return "m"
            case .vlc: return "v"
            case .none: return "n"
            }
        }

        public static func name(_ choice: PlayerChoice) -> String {
            switch choice {
            case .mpv: return "mpv"
            case .vlc: return "VLC"
            case .none: return "no player"
            }
        }

        /// The offered player a key picks, if any.
        public func choice(for key: Character) -> PlayerChoice? {
            offered.first { Character(Self.letter($0).uppercased()) == Character(key.uppercased()) }
        }
    }

    public var phase: Phase
    public var status: ViewerStatus?
    public var rate: Double = 0
    public var player: PlayerState = .none
    public var picker: PlayerPicker?
    public var messages: [String] = []

    static let spinner = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]

    public init(phase: Phase) { self.phase = phase }

    public mutating func note(_ message: String) {
        messages.append(message)
        if messages.count > 4 { messages.removeFirst(messages.count - 4) }
    }

    public func lines(width: Int, style: TextStyle) -> [String] {
        var out = [style.bold(fit("pixelpass · watching a share", width)), ""]
        switch phase {
        case .connecting(let target, let frame):
            out.append(fit("\(Self.spinner[frame % Self.spinner.count]) connecting to \(target) …", width))
            out.append("")
            out += messages.map { style.dim(fit($0, width)) }
            out.append(fit("Ctrl+C gives up", width))
            return out
        case .ended(let why):
            out.append(fit(why, width))
            return out
        case .watching(let url):
            if let status {
                out.append(style.green(fit("Connected to \(status.hostAddress) via \(status.path == .direct ? "a direct path" : "a relay")", width)))
                out.append(fit("RTT \(Units.milliseconds(status.roundTripMilliseconds)) · \(Units.bitrate(rate)) · "
                               + "\(status.players) player\(status.players == 1 ? "" : "s") reading", width))
                if let video = status.hostVideo {
                    out.append(fit("Host sends \(video.summary)", width))
                    if video.keyframesOnly {
                        out.append(style.yellow(fit("! your link is below the host's floor: keyframes only (fewer pictures)", width)))
                    }
                }
            } else {
                out.append(style.green(fit("Connected", width)))
            }
            out += Self.urlLines(url, width: width)
        }
        switch player {
        case .none: out.append(fit("Player: none (open the URL above in mpv or VLC)", width))
        case .running(let name): out.append(fit("Player: \(name) is open", width))
        case .closed(let name): out.append(style.yellow(fit("Player: \(name) was closed", width)))
        case .failed(let why): out.append(style.yellow(fit("Player: \(why)", width)))
        }
        out.append("")
        out += messages.map { style.dim(fit($0, width)) }
        if let picker {
            out += pickerLines(picker, width: width, style: style)
            return out
        }
        switch player {
        case .closed:
            out.append(style.bold(fit("p another player · r reopen the player · q quit", width)))
        case .running, .failed:
            out.append(fit("p another player · r reopen the player · q quit", width))
        case .none:
            out.append(fit("p open a player · q quit", width))
        }
        return out
    }

    private func pickerLines(_ picker: PlayerPicker, width: Int, style: TextStyle) -> [String] {
        var out: [String] = []
        if picker.offered.isEmpty {
            out.append(style.yellow(fit("No player can run here.", width)))
        } else {
            out.append(fit("Open the stream in:", width))
            out += picker.offered.map { fit("  \(PlayerPicker.letter($0))  \(PlayerPicker.name($0))", width) }
        }
        out += picker.notes.map { style.dim(fit($0, width)) }
        out.append(fit((picker.offered.isEmpty ? "" : "the letter picks · ") + "Esc keeps the player as it is", width))
        return out
    }
}

extension ViewScreen {
    /// The URL whole, broken across lines when the terminal is narrow: its
    /// token is the point, so it is never cut short with an ellipsis.
    static func urlLines(_ url: String, width: Int) -> [String] {
        let line = "Stream URL: \(url)"
        guard width > 0, line.count > width else { return [line] }
        var lines = ["Stream URL:"]
        var rest = Substring(url)
        while !rest.isEmpty {
            lines.append(String(rest.prefix(width)))
            rest = rest.dropFirst(width)
        }
        return lines
    }
}
