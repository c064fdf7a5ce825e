import PixelpassCore
import PixelpassTerminal

/// The menu's host screen: renders a share's events (and the menu's own
/// notes) into lines; it never drives the share.
struct HostShareView {
    enum Phase {
        /// Until the share serves: what the desktop will ask, or "starting …".
        case starting(String)
        /// Ticket known, waiting for `listening` to know the rest.
        case ticketReady(ticket: String, clipboard: HostScreen.ClipboardLine, kept: Bool)
        case sharing(HostScreen)
        case stopping
    }

    private(set) var phase: Phase = .starting("starting …")

    /// The ticket, once there is one (for copying it again).
    var ticket: String? {
        switch phase {
        case .starting, .stopping: return nil
        case .ticketReady(let ticket, _, _): return ticket
        case .sharing(let screen): return screen.ticket
        }
    }

    private var screen: HostScreen? {
        guard case .sharing(let screen) = phase else { return nil }
        return screen
    }

    /// Viewers waiting for the host's answer, first asked first.
    var waiting: [HostScreen.WaitingViewer] { screen?.waiting ?? [] }

    /// Whether new viewers wait for an answer (t toggles it).
    var approving: Bool {
        get { screen?.approving ?? false }
        set { update { $0.approving = newValue } }
    }

    /// The viewers shown right now, in table order (for kicking by number).
    var viewers: [HostViewerStatus] {
        guard case .sharing(let screen) = phase else { return [] }
        return screen.status?.viewers ?? []
    }

    /// `copy` puts the ticket on the clipboard when it arrives.
    mutating func render(_ event: HostSessionEvent, copy: (String) -> HostScreen.ClipboardLine) {
        switch event {
        case .preparing(let portalNotice):
            phase = .starting(portalNotice ?? "starting …")
        case .ticket(let ticket):
            phase = .ticketReady(ticket: ticket.text, clipboard: copy(ticket.text), kept: ticket.kept)
        case .ticketReplaced(let ticket):
            let line = copy(ticket.text)
            update {
                $0.ticket = ticket.text
                $0.clipboard = line
            }
            note("new ticket: the old one no longer lets anyone in; viewers watching now stay")
        case .listening(let listening):
            guard case .ticketReady(let ticket, let clipboard, let kept) = phase else { return }
            var screen = HostScreen(ticket: ticket, clipboard: clipboard, capture: listening.capture,
                                    maxViewers: listening.maxViewers)
            if kept { screen.note("this ticket stays valid for later shares ([host] keep_ticket)") }
            if case .unavailable(let reason) = listening.audio { screen.note("no system audio (\(reason)); sharing video only") }
            phase = .sharing(screen)
        case .viewerJoined(let id, let name, let address, let path):
            note("viewer \(HostScreen.label(id: id, name: name)) joined from \(address) (\(path.rawValue))")
        case .approvalRequested(let id, let name, let address):
            update { $0.waiting.append(.init(id: id, name: name, address: address)) }
        case .approvalEnded(let id, let allowed):
            let who = HostScreen.label(id: id, name: screen?.waiting.first { $0.id == id }?.name)
            update { $0.waiting.removeAll { $0.id == id } }
            switch allowed {
            case true?: note("\(who) may watch")
            case false?: note("\(who) was turned away")
            case nil: note("\(who) stopped waiting")
            }
        case .viewerLeft(let id, let reason):
            note("viewer \(id) left (\(reason))")
        case .pathChanged(let id, let address, let path):
            note("viewer \(id) moved to \(address) (\(path.rawValue))")
        case .stats(let status, let rates):
            update { screen in
                screen.status = status
                screen.viewerRates = rates.viewers
                screen.uploadRate = rates.total
            }
        case .stopping:
            phase = .stopping
        case .error, .ended:
            break  // the flow leaves this screen and says why
        }
    }

    mutating func note(_ message: String) {
        update { $0.note(message) }
    }

    mutating func setPrompt(_ prompt: String?) {
        update { $0.prompt = prompt }
    }

    mutating func setClipboard(_ line: HostScreen.ClipboardLine) {
        update { $0.clipboard = line }
    }

    private mutating func update(_ change: (inout HostScreen) -> Void) {
        guard case .sharing(var screen) = phase else { return }
        change(&screen)
        phase = .sharing(screen)
    }

    func lines(width: Int, style: TextStyle) -> [String] {
        let title = style.bold("pixelpass · share your screen")
        switch phase {
        case .starting(let what): return [title, "", what]
        case .ticketReady: return [title, "", "starting …"]
        case .sharing(let screen): return screen.lines(width: width, style: style)
        case .stopping: return [title, "", "stopping: telling viewers the share ended …"]
        }
    }
}
