import ArgumentParser
import PixelpassCore
import PixelpassTerminal

extension HostFlow {
    enum ShareOutcome {
        case success(FlowResult)
        /// Could not start: back to the source list with this message.
        case failure(String)
    }

    /// Starts the share and renders it until it ends; keys become commands
    /// (k kick, c copy the ticket, r new ticket, t ask before new viewers,
    /// a/d answer, q stop).
    func share(_ choice: ShareChoice) -> ShareOutcome {
        let configuration: HostSessionConfiguration
        do {
            configuration = try Self.configuration(for: choice)
        } catch {
            return .failure((error as? ValidationError)?.message ?? "\(error)")
        }
        let host = HostSession(configuration) { [session] event in session.post(.host(event)) }
        var view = HostShareView()
        /// Set once the user asked to leave: where to go when the share has ended.
        var leaving: FlowResult?
        var kickChoice = false
        func leave(_ result: FlowResult) {
            guard leaving == nil else { return }
            leaving = result
            host.stop()
        }
        host.start()
        while true {
            session.show(view.lines(width: session.width, style: session.style))
            switch session.next() {
            case .host(.ended(let end)):
                switch end {
                case .stopped: return .success(leaving ?? .back(note: nil))
                case .sourceLost(let reason): return .success(.back(note: "The share ended: the capture source went away (\(reason))."))
                case .failed(let error): return .failure(error.description)
                }
            case .host(let event):
                view.render(event, copy: copy)
                if case .listening = event { view.approving = configuration.host.approveViewers }
            case .key(.interrupt):
                leave(.quit)
            case .key(let key) where kickChoice:
                kickChoice = false
                view.setPrompt(nil)
                let viewers = view.viewers
                if case .character(let character) = key, let number = character.wholeNumberValue,
                   number >= 1, number <= viewers.count {
                    kick(viewers[number - 1].id, host, &view)
                }
            case .key(.character(let character)):
                guard leaving == nil, let ticket = view.ticket else { continue }
                switch character {
                case "q", "Q":
                    leave(.back(note: "Stopped sharing."))
                case "c", "C":
                    let line = copy(ticket)
                    view.setClipboard(line)
                    view.note(clipboardNote(line))
                case "a", "A", "d", "D":
                    guard let first = view.waiting.first else { continue }
                    // The answer comes back as an approvalEnded event.
                    _ = host.answer(viewerID: first.id, allow: character == "a" || character == "A")
                case "r", "R":
                    host.replaceTicket()
                case "t", "T":
                    view.approving.toggle()
                    host.setApprovalRequired(view.approving)
                    view.note(view.approving ? "new viewers now wait for your answer" : "anyone with the ticket may watch")
                case "k", "K":
                    let viewers = view.viewers
                    if viewers.isEmpty {
                        view.note("no viewers to kick")
                    } else if viewers.count == 1 {
                        kick(viewers[0].id, host, &view)
                    } else {
                        kickChoice = true
                        view.setPrompt("Kick which viewer? Press 1–\(viewers.count), any other key cancels.")
                    }
                default:
                    break
                }
            case .key, .tick, .resized, .view, .doctor:
                continue
            case .log:
                continue  // the same news arrives as session events, in fewer words
            }
        }
    }

    private func kick(_ id: String, _ host: HostSession, _ view: inout HostShareView) {
        // Waiting here is on the main thread, never on the session's loop.
        let kicked = (try? host.kick(viewerID: id).wait()) ?? false
        view.note(kicked ? "kicked viewer \(id): it stays out for the rest of this share" : "viewer \(id) had already left")
    }

    private func copy(_ ticket: String) -> HostScreen.ClipboardLine {
        switch Clipboard.copy(ticket, environment: session.environment) {
        case .copied(let tool): return .copied(tool: tool)
        case .notCopied(let reason): return .notCopied(reason: reason)
        }
    }

    private func clipboardNote(_ line: HostScreen.ClipboardLine) -> String {
        switch line {
        case .copied(let tool): return "ticket copied again (\(tool))"
        case .notCopied(let reason): return "ticket not copied: \(reason)"
        }
    }
}
