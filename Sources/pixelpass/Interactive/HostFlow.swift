import ArgumentParser
import Foundation
import NIOPosix
import PixelpassCore
import PixelpassMedia
import PixelpassTerminal

/// Host from the menu: pick what to share, start, show the ticket (copied to
/// the clipboard) and a live status with k / c / q.
struct HostFlow {
    let session: InteractiveSession

    /// One line of the source list and the `pixelpass host` arguments it means.
    struct SourceOption {
        var label: String
        var arguments: [String]
    }

    func run() -> FlowResult {
        var error: String?
        while true {
            guard let arguments = pickSource(error: error) else { return .back(note: nil) }
            if arguments.isEmpty { return .quit }
            switch start(arguments) {
            case .success(let result): return result
            case .failure(let message): error = message
            }
        }
    }

    // MARK: - Choosing the source

    /// nil: back to the menu; []: Ctrl+C.
    private func pickSource(error: String?) -> [String]? {
        let kind = SessionKind.detect(environment: session.environment)
        var header = [session.style.bold("pixelpass · share your screen"), "Session: \(kind.label)"]
        var options: [SourceOption] = []
        var windowsOption: Int?
        var targets: X11ShareTargets?
        switch kind {
        case .x11(let display):
            do {
                let listed = try X11ShareTargets.list(display: display)
                targets = listed
                options.append(SourceOption(label: "Whole screen (\(listed.screenSize))", arguments: ["--source", "x11", "--display", display]))
                if listed.monitors.count > 1 {
                    for monitor in listed.monitors {
                        options.append(SourceOption(label: "Monitor \(monitor.label)",
                                                    arguments: ["--source", "x11", "--display", display, "--monitor", monitor.name]))
                    }
                }
                if !listed.windows.isEmpty {
                    windowsOption = options.count
                    options.append(SourceOption(label: "A window … (\(listed.windows.count) open)", arguments: []))
                }
            } catch {
                header.append(session.style.yellow("The X display \(display) cannot be used: \(error)"))
            }
        case .wayland:
            // The desktop's own dialog picks the monitor or window; a choice
            // made there before is reused (the portal's restore token).
            options.append(SourceOption(label: "A monitor, chosen in the desktop's sharing dialog",
                                        arguments: ["--source", "portal", "--portal-source", "monitor"]))
            options.append(SourceOption(label: "A window, chosen in the desktop's sharing dialog",
                                        arguments: ["--source", "portal", "--portal-source", "window"]))
            options.append(SourceOption(label: "Choose again (forget what the dialog remembered)",
                                        arguments: ["--source", "portal", "--forget-source"]))
        case .none:
            header.append("No graphical session here (neither WAYLAND_DISPLAY nor DISPLAY is set):")
            header.append("only the built-in test pattern can be shared.")
        }
        options.append(SourceOption(label: "Test pattern (moving picture, clock and tone)", arguments: ["--source", "test"]))
        var list = ChoiceList(options.map { ChoiceList.Item($0.label) })
        var error = error
        while true {
            switch session.choose(header: header + ["", "What do you want to share?"], list: &list,
                                  footer: ["Enter shares · Esc goes back · Ctrl+C quits"], error: error) {
            case .chosen(let index) where index == windowsOption:
                guard let targets else { continue }
                switch pickWindow(targets) {
                case .some(let arguments): return arguments
                case .none: error = nil; continue
                }
            case .chosen(let index):
                return options[index].arguments
            case .cancelled:
                return nil
            case .interrupted:
                return []
            case .unchanged, .moved:
                continue
            }
        }
    }

    /// The window list; nil goes back to the source list, [] is Ctrl+C.
    private func pickWindow(_ targets: X11ShareTargets) -> [String]? {
        var list = ChoiceList(targets.windows.map { ChoiceList.Item($0.label) })
        switch session.choose(header: [session.style.bold("pixelpass · share a window"), "", "Which window?"], list: &list,
                              footer: ["Enter shares · Esc goes back"]) {
        case .chosen(let index):
            return ["--source", "x11", "--display", targets.display, "--window", X11ShareTargets.hex(targets.windows[index].id)]
        case .interrupted:
            return []
        case .cancelled, .unchanged, .moved:
            return nil
        }
    }

    // MARK: - Sharing

    private enum StartOutcome {
        case success(FlowResult)
        case failure(String)
    }

    private func start(_ arguments: [String]) -> StartOutcome {
        let command: HostCommand
        let configuration: HostConfiguration
        do {
            command = try HostCommand.parse(arguments)
            configuration = try command.hostConfiguration()
        } catch let error as HostStartError {
            return .failure(error.description)
        } catch {
            return .failure(HostCommand.message(for: error))
        }
        var starting = [session.style.bold("pixelpass · share your screen"), ""]
        if case .portal = configuration.media.source {
            if command.forgetSource { HostCommand.restoreTokenStore()?.forgetAll() }
            starting.append(command.portalNotice(configuration.media.source) ?? "starting …")
        } else {
            starting.append("starting …")
        }
        session.show(starting)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let host: PixelpassCore.Host
        do {
            host = try HostStartError.starting(configuration, on: group.next())
        } catch {
            return .failure("\(error)")
        }
        host.onEvent = { [session] event in session.post(.host(event)) }
        host.onSourceLost = { [session] reason in session.post(.sourceLost(reason)) }
        return .success(share(host, configuration: configuration))
    }

    private func share(_ host: PixelpassCore.Host, configuration: HostConfiguration) -> FlowResult {
        let ticket = host.ticket.encoded()
        var screen = HostScreen(ticket: ticket, clipboard: copy(ticket), capture: host.media.summary,
                                maxViewers: configuration.maxViewers)
        if case .unavailable(let reason) = host.media.audio { screen.note("no system audio (\(reason)); sharing video only") }
        let ticker = Ticker(every: 1) { [session] in session.post(.tick) }
        defer { ticker.cancel() }
        var rates = HostRateTracker()
        func refresh() {
            guard let status = try? host.status().wait() else { return }
            let sampled = rates.rates(for: status, at: ProcessInfo.processInfo.systemUptime)
            screen.status = status
            screen.viewerRates = sampled.viewers
            screen.uploadRate = sampled.total
        }
        func stop(_ result: FlowResult) -> FlowResult {
            session.show([session.style.bold("pixelpass · share your screen"), "", "stopping: telling viewers the share ended …"])
            try? host.shutdown().wait()
            return result
        }
        refresh()
        var kickChoice = false
        while true {
            session.show(screen.lines(width: session.width, style: session.style))
            switch session.next() {
            case .key(.interrupt):
                return stop(.quit)
            case .key(let key) where kickChoice:
                kickChoice = false
                screen.prompt = nil
                if case .character(let character) = key, let number = character.wholeNumberValue,
                   let viewers = screen.status?.viewers, (1...viewers.count).contains(number) {
                    kick(viewers[number - 1].id, host, &screen)
                }
            case .key(.character(let character)):
                switch character {
                case "q", "Q":
                    return stop(.back(note: "Stopped sharing."))
                case "c", "C":
                    screen.clipboard = copy(ticket)
                    screen.note(clipboardNote(screen.clipboard))
                case "k", "K":
                    let viewers = screen.status?.viewers ?? []
                    if viewers.isEmpty {
                        screen.note("no viewers to kick")
                    } else if viewers.count == 1 {
                        kick(viewers[0].id, host, &screen)
                    } else {
                        kickChoice = true
                        screen.prompt = "Kick which viewer? Press 1–\(viewers.count), any other key cancels."
                    }
                default:
                    break
                }
            case .key:
                break
            case .tick:
                refresh()
            case .resized:
                break
            case .log:
                break  // the same news arrives as host events, in fewer words
            case .host(let event):
                screen.note(describe(event))
                refresh()
            case .sourceLost(let reason):
                return stop(.back(note: "The share ended: the capture source went away (\(reason))."))
            case .viewerReady(let viewer, let url):
                session.discardStale(.viewerReady(viewer, url: url))
            case .viewerFailed, .viewerEnded:
                break
            }
        }
    }

    private func kick(_ id: String, _ host: PixelpassCore.Host, _ screen: inout HostScreen) {
        let kicked = (try? host.kick(viewerID: id).wait()) ?? false
        screen.note(kicked ? "kicked viewer \(id)" : "viewer \(id) had already left")
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

    private func describe(_ event: HostEvent) -> String {
        switch event {
        case .viewerJoined(let id, let address, let path): return "viewer \(id) joined from \(address) (\(path.rawValue))"
        case .viewerLeft(let id, let reason): return "viewer \(id) left: \(reason)"
        case .pathChanged(let id, let address, let path): return "viewer \(id) moved to \(address) (\(path.rawValue))"
        }
    }
}
