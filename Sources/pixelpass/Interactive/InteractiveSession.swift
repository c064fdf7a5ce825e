import Dispatch
import Foundation
import PixelpassCore
import PixelpassTerminal

/// The menu's terminal and inbox. Screens draw with `show` and wait with
/// `next`; Ctrl+C arrives as `.key(.interrupt)` whether typed or sent as SIGINT.
final class InteractiveSession {
    let terminal: Terminal
    let style: TextStyle
    let environment: [String: String]
    /// Where any thread posts what the menu should hear about.
    let inbox = MainThreadEvents<MenuEvent>()
    private var events: MainThreadEvents<MenuEvent> { inbox }
    private var resizeSource: DispatchSourceSignal?

    init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.environment = environment
        terminal = try Terminal()
        style = TextStyle(enabled: TextStyle.colourAllowed(environment))
        let inbox = events
        terminal.startReadingKeys { keys in keys.forEach { inbox.post(.key($0)) } }
        signal(SIGWINCH, SIG_IGN)
        let resize = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: .global())
        resize.setEventHandler { inbox.post(.resized) }
        resize.resume()
        resizeSource = resize
        // Progress lines would tear the screen: screens show them as notes.
        Console.infoSink = { line in inbox.post(.log(line)) }
    }

    /// Leaves the alternate screen; later output goes to the normal terminal.
    func close() {
        Console.infoSink = nil
        terminal.restore()
    }

    var width: Int { terminal.size.columns }
    var height: Int { terminal.size.rows }

    func post(_ event: MenuEvent) { events.post(event) }

    /// The next event; a resize clears the screen first so the caller's
    /// redraw starts clean.
    func next() -> MenuEvent {
        switch events.next() {
        case .interrupted:
            return .key(.interrupt)
        case .event(.resized):
            terminal.clear()
            return .resized
        case .event(let event):
            return event
        }
    }

    func show(_ lines: [String]) { terminal.draw(lines) }

    /// Draws a choice list under `header` until an item is chosen or the
    /// user backs out.
    func choose(header: [String], list: inout ChoiceList, footer: [String] = [], error: String? = nil) -> ChoiceList.Outcome {
        var error = error
        while true {
            var lines = header + [""]
            for (index, item) in list.items.enumerated() {
                let marker = index == list.selected ? "›" : " "
                var text = " \(marker) \(item.label)"
                if let note = item.note { text += "  (\(note))" }
                let cut = fit(text, width)
                lines.append(index == list.selected ? style.inverse(cut) : cut)
            }
            lines.append("")
            if let error { lines += wordWrap(error, width: width).map { style.red($0) } }
            lines += footer.map { style.dim(fit($0, width)) }
            show(lines)
            switch next() {
            case .key(let key):
                let outcome = list.handle(key)
                if case .unchanged = outcome { continue }
                if case .moved = outcome { error = nil; continue }
                return outcome
            case .resized, .tick, .log, .host, .view, .doctor:
                continue
            }
        }
    }

    /// Waits for any key (after a message); false on Ctrl+C.
    func waitForKey(_ lines: [String]) -> Bool {
        show(lines + ["", style.dim("press any key to go back to the menu")])
        while true {
            switch next() {
            case .key(.interrupt): return false
            case .key: return true
            case .resized, .tick, .log, .host, .view, .doctor: continue
            }
        }
    }
}
