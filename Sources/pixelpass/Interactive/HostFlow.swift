import Foundation
import PixelpassCore
import PixelpassMedia
import PixelpassPortal
import PixelpassTerminal

/// Host from the menu: pick what to share, start, show the ticket (copied to
/// the clipboard) and a live status with k / c / q.
struct HostFlow {
    let session: InteractiveSession

    /// What a line of the source list shares.
    enum ShareChoice {
        case x11(display: String, target: X11Target)
        /// The desktop's dialog; `forgetFirst`: ask again instead of reusing its last choice.
        case portal(offer: ScreenCastOptions.Offer, forgetFirst: Bool)
        case test
    }

    /// One line of the source list: something to share, or the window list.
    struct SourceOption {
        enum Action {
            case share(ShareChoice)
            case listWindows
        }

        var label: String
        var action: Action
    }

    /// What the user picked: something to share, back to the menu, or Ctrl+C.
    enum Pick {
        case share(ShareChoice)
        case back
        case quit
    }

    func run() -> FlowResult {
        var error: String?
        while true {
            let choice: ShareChoice
            switch pickSource(error: error) {
            case .share(let picked): choice = picked
            case .back: return .back(note: nil)
            case .quit: return .quit
            }
            switch share(choice) {
            case .success(let result): return result
            case .failure(let message): error = message
            }
        }
    }

    // MARK: - Choosing the source

    private func pickSource(error: String?) -> Pick {
        let kind = SessionKind.detect(environment: session.environment)
        var header = [session.style.bold("pixelpass · share your screen"), "Session: \(kind.label)"]
        var options: [SourceOption] = []
        var targets: X11ShareTargets?
        switch kind {
        case .x11(let display):
            do {
                let listed = try X11ShareTargets.list(display: display)
                targets = listed
                options.append(SourceOption(label: "Whole screen (\(listed.screenSize))", action: .share(.x11(display: display, target: .screen))))
                if listed.monitors.count > 1 {
                    for monitor in listed.monitors {
                        options.append(SourceOption(label: "Monitor \(monitor.label)",
                                                    action: .share(.x11(display: display, target: .monitor(monitor.name)))))
                    }
                }
                if !listed.windows.isEmpty {
                    options.append(SourceOption(label: "A window … (\(listed.windows.count) open)", action: .listWindows))
                }
            } catch {
                header.append(session.style.yellow("The X display \(display) cannot be used: \(error)"))
            }
        case .wayland:
            // The desktop's own dialog picks the monitor or window; a choice
            // made there before is reused (the portal's restore token).
            options.append(SourceOption(label: "A monitor, chosen in the desktop's sharing dialog",
                                        action: .share(.portal(offer: .monitor, forgetFirst: false))))
            options.append(SourceOption(label: "A window, chosen in the desktop's sharing dialog",
                                        action: .share(.portal(offer: .window, forgetFirst: false))))
            options.append(SourceOption(label: "Choose again (forget what the dialog remembered)",
                                        action: .share(.portal(offer: .any, forgetFirst: true))))
        case .none:
            header.append("No graphical session here (neither WAYLAND_DISPLAY nor DISPLAY is set):")
            header.append("only the built-in test pattern can be shared.")
        }
        options.append(SourceOption(label: "Test pattern (moving picture, clock and tone)", action: .share(.test)))
        var list = ChoiceList(options.map { ChoiceList.Item($0.label) })
        var error = error
        while true {
            switch session.choose(header: header + ["", "What do you want to share?"], list: &list,
                                  footer: ["Enter shares · Esc goes back · Ctrl+C quits"], error: error) {
            case .chosen(let index):
                switch options[index].action {
                case .share(let choice):
                    return .share(choice)
                case .listWindows:
                    guard let targets else { continue }
                    switch pickWindow(targets) {
                    case .share(let choice): return .share(choice)
                    case .quit: return .quit
                    case .back: error = nil; continue
                    }
                }
            case .cancelled:
                return .back
            case .interrupted:
                return .quit
            case .unchanged, .moved:
                continue
            }
        }
    }

    /// The window list; `.back` goes back to the source list.
    private func pickWindow(_ targets: X11ShareTargets) -> Pick {
        var list = ChoiceList(targets.windows.map { ChoiceList.Item($0.label) })
        switch session.choose(header: [session.style.bold("pixelpass · share a window"), "", "Which window?"], list: &list,
                              footer: ["Enter shares · Esc goes back"]) {
        case .chosen(let index):
            return .share(.x11(display: targets.display, target: .windowID(targets.windows[index].id)))
        case .interrupted:
            return .quit
        case .cancelled, .unchanged, .moved:
            return .back
        }
    }

    // MARK: - The configuration

    /// The share a choice means, with every other setting from the config
    /// file, as `pixelpass host` would take it without flags.
    static func configuration(for choice: ShareChoice) throws -> HostSessionConfiguration {
        let settings = HostSettings()
        try settings.validate()
        let source: CaptureSource
        switch choice {
        case .x11(let display, let target):
            source = .x11(X11Capture(display: display, target: target))
        case .portal(let offer, let forgetFirst):
            // "Choose again", like --forget-source: before the notice is worded.
            if forgetFirst { RememberedSource.forget() }
            source = .portal(PortalCapture(offer: offer, tokenStore: RememberedSource.store()))
        case .test:
            source = .test
        }
        return try settings.sessionConfiguration(capturing: source)
    }
}
