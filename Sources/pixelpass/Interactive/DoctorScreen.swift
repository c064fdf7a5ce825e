import Dispatch
import Foundation
import PixelpassCore
import PixelpassTerminal

/// The menu's Doctor: the same checks as `pixelpass doctor`, run in this
/// process (off the main thread, so keys still work), shown a screenful at
/// a time.
struct DoctorScreen {
    let session: InteractiveSession

    /// Title and blank line above the report, blank line and footer below,
    /// and the last row kept free (a line drawn there would scroll the screen).
    private static let chromeRows = 5

    func run() -> FlowResult {
        let environment = session.environment
        let inbox = session.inbox
        DispatchQueue.global().async {
            inbox.post(.doctor(Self.quietingStderr { DoctorCommand.report(environment: environment, offline: false) }))
        }
        var report: ScrollView?
        while true {
            session.show(report.map(page) ?? waiting())
            switch session.next() {
            case .doctor(let done):
                var lines = done.renderText().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                if lines.last == "" { lines.removeLast() }
                report = ScrollView(lines)
            case .key(let key):
                guard var shown = report else {
                    // Still checking: the result is dropped when it comes.
                    if key == .interrupt { return .quit }
                    if key == .escape { return .back(note: nil) }
                    continue
                }
                switch shown.handle(key, rows: bodyRows) {
                case .scrolled: report = shown
                case .leave: return .back(note: nil)
                case .interrupted: return .quit
                }
            case .resized, .tick, .log, .host, .view:
                continue
            }
        }
    }

    /// The encoders and drivers the checks load (OpenH264, VA drivers)
    /// print straight to stderr, which is this terminal: it goes to
    /// /dev/null while they run, so the screen is not torn.
    private static func quietingStderr<T>(_ body: () -> T) -> T {
        let saved = dup(STDERR_FILENO)
        let null = open("/dev/null", O_WRONLY)
        if saved >= 0, null >= 0 { dup2(null, STDERR_FILENO) }
        defer {
            if saved >= 0 {
                dup2(saved, STDERR_FILENO)
                close(saved)
            }
            if null >= 0 { close(null) }
        }
        return body()
    }

    private var bodyRows: Int { max(1, session.height - Self.chromeRows) }

    private var title: String { session.style.bold("pixelpass · doctor") }

    private func waiting() -> [String] {
        [title, "", "checking this machine …", "", session.style.dim(fit("Esc goes back · Ctrl+C quits", session.width))]
    }

    private func page(_ report: ScrollView) -> [String] {
        let width = session.width
        let footer: String
        if let position = report.position(rows: bodyRows) {
            footer = "\(position) · ↑/↓ PgUp/PgDn Home/End scroll · press any key to go back"
        } else {
            footer = "press any key to go back to the menu"
        }
        return [title, ""] + report.visible(rows: bodyRows).map { fit($0, width) } + ["", session.style.dim(fit(footer, width))]
    }
}
