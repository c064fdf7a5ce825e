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

    public var phase: Phase
    public var status: ViewerStatus?
    public var rate: Double = 0
    public var player: PlayerState = .none
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
            out.append(fit("Stream URL: \(url)", width))
        }
        switch player {
        case .none: out.append(fit("Player: none (open the URL above in mpv or VLC)", width))
        case .running(let name): out.append(fit("Player: \(name) is open", width))
        case .closed(let name): out.append(style.yellow(fit("Player: \(name) was closed", width)))
        case .failed(let why): out.append(style.yellow(fit("Player: \(why)", width)))
        }
        out.append("")
        out += messages.map { style.dim(fit($0, width)) }
        switch player {
        case .closed:
            out.append(style.bold(fit("r reopen the player · q quit", width)))
        case .none, .running, .failed:
            out.append(fit("o open the player again · q quit", width))
        }
        return out
    }
}
