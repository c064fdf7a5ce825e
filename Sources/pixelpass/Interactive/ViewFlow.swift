import Foundation
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
            guard case .key(let key) = session.next() else { continue }
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
            case .mpv: return ChoiceList.Item("mpv", letter: "m", note: Self.whyNot(.mpv))
            case .vlc: return ChoiceList.Item("VLC", letter: "v", note: Self.whyNot(.vlc))
            case .none: return ChoiceList.Item("No player: just show the stream URL", letter: "n")
            }
        }
        // The preferred player if it can run, else the first one that can.
        let usable = choices.filter { $0 == .none || Self.whyNot($0) == nil }
        let start = usable.contains(preferredPlayer) ? preferredPlayer : (usable.first ?? .none)
        var list = ChoiceList(items, selected: choices.firstIndex(of: start) ?? 0)
        var error: String?
        while true {
            switch session.choose(header: [session.style.bold("pixelpass · watch a share"), "", "Open the stream in:"],
                                  list: &list, footer: ["Enter chooses · Esc goes back · Ctrl+C quits"], error: error) {
            case .chosen(let index):
                let choice = choices[index]
                switch PlayerLauncher.runnable(choice) {
                case .success, .failure(.notRequested):
                    return .some(choice)
                case .failure(.vlcAsRoot):
                    // The flag the command line would suggest means nothing here.
                    error = "VLC refuses to run as root: pick mpv or no player, or run pixelpass as your normal user."
                case .failure(let why):
                    error = "\(why). Pick another player."
                }
            case .cancelled:
                return nil
            case .interrupted:
                return .some(nil)
            case .unchanged, .moved:
                continue
            }
        }
    }

    /// Why a player cannot be picked, shown beside it; nil when it can run.
    private static func whyNot(_ choice: PlayerChoice) -> String? {
        switch PlayerLauncher.runnable(choice) {
        case .success, .failure(.notRequested): return nil
        case .failure(.notInstalled): return "not installed"
        case .failure(.vlcAsRoot): return "refuses to run as root"
        case .failure: return "cannot play the stream here"
        }
    }

    // MARK: - Watching

    /// The players that can run here, and why the others are left out.
    static func playerPicker() -> ViewScreen.PlayerPicker {
        var offered: [PlayerChoice] = []
        var notes: [String] = []
        for choice in [PlayerChoice.mpv, .vlc] {
            switch PlayerLauncher.runnable(choice) {
            case .success: offered.append(choice)
            case .failure(let why): notes.append("\(ViewScreen.PlayerPicker.name(choice)) is not offered: \(why)")
            }
        }
        return ViewScreen.PlayerPicker(offered: offered, notes: notes)
    }

    private enum WatchOutcome {
        case finished(FlowResult)
        /// Could not connect: back to the ticket prompt with this message.
        case retry(String)
    }

    private func watch(_ ticket: Ticket, player: PlayerChoice) -> WatchOutcome {
        var configuration = ViewSessionConfiguration(ticket: ticket, port: ConfigDefaults.values.view.port ?? 0,
                                                     player: player)
        configuration.logger = .console()
        configuration.introduction = (try? ViewerIntroductionSettings.introduction(nameFlag: nil)) ?? ViewerIntroduction()
        // The config's [nat] turn, as `pixelpass view` reads it (checked at start).
        let turn = TURNFlags()
        configuration.turn = ViewerTURN(server: try? turn.setting(), caFile: try? turn.ca())
        let watch = ViewSession(configuration) { [session] event in session.post(.view(event)) }
        var screen = ViewScreen(phase: .connecting(target: ticket.addresses.map(\.description).joined(separator: ", "), frame: 0))
        /// Only animates the spinner; the session reports everything else.
        var spin: Ticker? = Ticker(every: 0.1) { [session] in session.post(.tick) }
        defer { spin?.cancel() }
        /// Set once the user asked to leave: where to go when the watch has ended.
        var leaving: FlowResult?
        func leave(_ result: FlowResult) {
            guard leaving == nil else { return }
            leaving = result
            watch.stop()
        }
        func ended(_ message: String) -> WatchOutcome {
            .finished(session.waitForKey([session.style.bold("pixelpass · watch a share"), "", message]) ? .back(note: nil) : .quit)
        }
        watch.start()
        while true {
            session.show(screen.lines(width: session.width, style: session.style))
            switch session.next() {
            case .view(.ended(let end)):
                switch end {
                case .interrupted, .closed: return .finished(leaving ?? .back(note: nil))
                case .hostEnded: return ended("The host ended the share.")
                case .removed: return ended("The host removed you from the share.")
                case .lostContact(let detail): return ended("Lost contact with the host (\(detail)).")
                case .failed(let error): return .retry(error.description)
                }
            case .view(let event):
                screen.render(event)
                if case .connected = event {
                    spin?.cancel()
                    spin = nil
                }
            case .key(.interrupt):
                leave(.quit)
            case .key(.escape) where screen.isConnecting:
                leave(.back(note: "Stopped connecting."))
            case .key(.escape) where screen.picker != nil:
                screen.picker = nil
            case .key(.character(let character)):
                guard leaving == nil, !screen.isConnecting else { continue }
                if let picker = screen.picker {
                    guard let choice = picker.choice(for: character) else { continue }
                    screen.picker = nil
                    watch.openPlayer(choice)
                    continue
                }
                switch (character, screen.player) {
                case ("q", _), ("Q", _):
                    leave(.back(note: "Stopped watching."))
                case ("r", .closed), ("r", .running), ("r", .failed), ("R", .closed), ("R", .running), ("R", .failed):
                    // Restarts the player on the same URL (ending the one we started).
                    watch.openPlayer()
                case ("p", _), ("P", _):
                    screen.picker = Self.playerPicker()
                default:
                    continue
                }
            case .key:
                continue
            case .tick:
                screen.spin()
            case .log(let line):
                screen.note(line)
            case .resized, .host, .doctor:
                continue
            }
        }
    }
}
