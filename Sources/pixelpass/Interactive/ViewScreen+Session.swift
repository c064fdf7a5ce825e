import PixelpassCore
import PixelpassTerminal

extension ViewScreen {
    /// The menu's watch screen renders a watch's events; `frame` turns the
    /// spinner while connecting.
    mutating func render(_ event: ViewSessionEvent) {
        switch event {
        case .connecting(let target):
            phase = .connecting(target: target, frame: 0)
        case .connected(let url, _, _):
            phase = .watching(url: url)
        case .playerOpened(let choice, _):
            player = .running(name: choice.rawValue)
        case .playerFailed(_, .notRequested, _):
            player = .none
        case .playerFailed(_, let error, _):
            player = .failed("\(error)")
        case .playerClosed(let choice):
            player = .closed(name: choice.rawValue)
        case .stats(let status, let bitrate):
            self.status = status
            rate = bitrate
        case .pathChanged, .hostVideo, .error, .ended:
            break  // the next stats show the path; the flow says how it ended
        }
    }

    /// One more turn of the connecting spinner.
    mutating func spin() {
        if case .connecting(let target, let frame) = phase { phase = .connecting(target: target, frame: frame + 1) }
    }

    var isConnecting: Bool {
        if case .connecting = phase { return true }
        return false
    }
}
