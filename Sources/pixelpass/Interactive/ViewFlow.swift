import Foundation
import NIOPosix
import PixelpassCore
import PixelpassTicket
import PixelpassTerminal

/// View from the menu: paste the ticket (checked at once), pick a player,
/// connect, open the player, and offer to reopen it when it is closed.
struct ViewFlow {
    let session: InteractiveSession
    /// The player preselected in the list (config, else the first installed).
    var preferredPlayer: PlayerChoice = ConfigDefaults.values.view.player ?? PlayerChoice.automatic()

    func run() -> FlowResult {
        var error: String?
        while true {
            guard let ticket = askTicket(error: error) else { return .back(note: nil) }
            guard let ticket = ticket else { return .quit }
            guard let player = askPlayer() else { continue }
            guard let player = player else { return .quit }
            switch watch(ticket, player: player) {
            case .finished(let result): return result
            case .retry(let message): error = message
            }
        }
    }

    // MARK: - Ticket

    /// nil: back to the menu; .some(nil): Ctrl+C.
    private func askTicket(error: String?) -> Ticket?? {
        var editor = LineEditor()
        var problem = error
        while true {
            let width = session.width
            let field = editor.text.count > width - 3 ? "…" + editor.text.suffix(width - 4) : editor.text
            var lines = [session.style.bold("pixelpass · watch a share"), "",
                         "Paste the ticket your friend sent (pixelpass1-…) and press Enter:", "> " + field + "▏"]
            if let problem {
                lines += [""] + wordWrap(problem, width: width).map { session.style.red($0) } + ["Paste it again, or Esc to go back."]
            }
            lines += ["", session.style.dim("Esc goes back · Ctrl+C quits")]
            session.show(lines)
            let event = session.next()
            guard case .key(let key) = event else { session.discardStale(event); continue }
            switch editor.handle(key) {
            case .edited:
                continue
            case .cancelled:
                return nil
            case .interrupted:
                return .some(nil)
            case .submitted(let text):
                if text.isEmpty { continue }
                do {
                    return .some(try Ticket.parse(text))
                } catch {
                    problem = "\(error)"
                    editor.clear()
                }
            }
        }
    }

    // MARK: - Player

    /// nil: back to the ticket; .some(nil): Ctrl+C.
    private func askPlayer() -> PlayerChoice?? {
        let choices: [PlayerChoice] = [.mpv, .vlc, .none]
        let items = choices.map { choice -> ChoiceList.Item in
            switch choice {
            case .mpv: return ChoiceList.Item("mpv", letter: "m", note: PlayerLauncher.isInstalled(.mpv) ? nil : "not installed")
            case .vlc: return ChoiceList.Item("VLC", letter: "v", note: PlayerLauncher.isInstalled(.vlc) ? nil : "not installed")
            case .none: return ChoiceList.Item("No player: just show the stream URL", letter: "n")
            }
        }
        var list = ChoiceList(items, selected: choices.firstIndex(of: preferredPlayer) ?? 0)
        var error: String?
        while true {
            switch session.choose(header: [session.style.bold("pixelpass · watch a share"), "", "Open the stream in:"],
                                  list: &list, footer: ["Enter chooses · Esc goes back · Ctrl+C quits"], error: error) {
            case .chosen(let index):
                let choice = choices[index]
                if PlayerLauncher.isInstalled(choice) { return .some(choice) }
                error = "\(PlayerLaunchError.notInstalled(choice)). Pick another player."
            case .cancelled:
                return nil
            case .interrupted:
                return .some(nil)
            case .unchanged, .moved:
                continue
            }
        }
    }

    // MARK: - Watching

    private enum WatchOutcome {
        case finished(FlowResult)
        /// Could not connect: back to the ticket prompt with this message.
        case retry(String)
    }

    private func watch(_ ticket: Ticket, player: PlayerChoice) -> WatchOutcome {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let target = ticket.addresses.map(\.description).joined(separator: ", ")
        var screen = ViewScreen(phase: .connecting(target: target, frame: 0))
        Viewer.connect(ticket, on: group.next())
            .flatMap { viewer in
                viewer.startRelay(port: ConfigDefaults.values.view.port ?? 0) { [session] end in session.post(.viewerEnded(end)) }.map { (viewer, $0) }
            }
            .whenComplete { [session] result in
                switch result {
                case .success(let (viewer, url)): session.post(.viewerReady(viewer, url: url))
                case .failure(let error): session.post(.viewerFailed(error))
                }
            }
        var spin = Ticker(every: 0.1) { [session] in session.post(.tick) }
        var frame = 0
        var viewer: Viewer?
        var launched: LaunchedPlayer?
        var meter = BitrateMeter<Int>()
        defer { spin.cancel() }

        func open(_ url: String) {
            switch PlayerLauncher.launch(player, url: url) {
            case .success(let started):
                launched = started
                screen.player = .running(name: player.rawValue)
            case .failure(.notRequested):
                screen.player = .none
            case .failure(let error):
                screen.player = .failed("\(error)")
            }
        }
        func leave(_ result: FlowResult) -> WatchOutcome {
            if let viewer { try? viewer.close().wait() }
            return .finished(result)
        }
        func ended(_ message: String) -> WatchOutcome {
            if let viewer { try? viewer.close().wait() }
            return .finished(session.waitForKey([session.style.bold("pixelpass · watch a share"), "", message])
                ? .back(note: nil) : .quit)
        }

        while true {
            session.show(screen.lines(width: session.width, style: session.style))
            switch session.next() {
            case .key(.interrupt):
                return leave(.quit)
            case .key(.escape) where viewer == nil:
                return leave(.back(note: "Stopped connecting."))
            case .key(.character(let character)):
                switch (character, screen.player) {
                case ("q", _), ("Q", _):
                    guard viewer != nil else { continue }
                    return leave(.back(note: "Stopped watching."))
                case ("r", .closed), ("o", _), ("R", .closed), ("O", _):
                    if case .watching(let url) = screen.phase { open(url) }
                default:
                    continue
                }
            case .key:
                continue
            case .tick:
                if viewer == nil {
                    frame += 1
                    screen.phase = .connecting(target: target, frame: frame)
                    continue
                }
                if let status = try? viewer?.status().wait() {
                    screen.status = status
                    screen.rate = meter.sample(0, bytes: status.bytesReceived, at: ProcessInfo.processInfo.systemUptime) ?? screen.rate
                }
                if let running = launched, running.hasExited() {
                    launched = nil
                    screen.player = .closed(name: player.rawValue)
                }
            case .viewerReady(let connected, let url):
                viewer = connected
                spin.cancel()
                spin = Ticker(every: 1) { [session] in session.post(.tick) }
                screen.phase = .watching(url: url)
                screen.status = try? connected.status().wait()
                open(url)
            case .viewerFailed(let error):
                return .retry((error as? ViewerError)?.description ?? "\(error)")
            case .viewerEnded(.hostEnded):
                return ended("The host ended the share.")
            case .viewerEnded(.removedByHost):
                return ended("The host removed you from the share.")
            case .viewerEnded(.lostContact(let detail)):
                return ended("Lost contact with the host (\(detail)).")
            case .viewerEnded(.local):
                return leave(.back(note: nil))
            case .log(let line):
                screen.note(line)
            case .resized, .host:
                continue
            }
        }
    }
}
