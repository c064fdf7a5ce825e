import Foundation
import PixelpassCore
import Synchronization

/// Reads answers for `host --approve` from stdin on its own thread and
/// hands them to the session. Which viewers wait is told to it by the
/// renderer (main thread), so "a" alone can mean the one that asked first.
final class ApprovalInput: Sendable {
    private let waiting = Mutex<[String]>([])
    private let session: HostSession

    init(session: HostSession) {
        self.session = session
    }

    /// Keeps the waiting list in step with the session's events.
    func observe(_ event: HostSessionEvent) {
        switch event {
        case .approvalRequested(let id, _, _):
            waiting.withLock { $0.append(id) }
        case .approvalEnded(let id, _):
            waiting.withLock { $0.removeAll { $0 == id } }
        default:
            break
        }
    }

    /// Reads stdin until it ends; a line that is not an answer is said to be one.
    func start() {
        let thread = Thread { [self] in
            while let line = readLine() {
                guard let command = ApprovalCommand(line: line) else {
                    if !line.trimmingCharacters(in: .whitespaces).isEmpty {
                        Console.info("type a (allow) or d (deny), optionally followed by the viewer's id")
                    }
                    continue
                }
                guard let id = command.viewerID ?? waiting.withLock({ $0.first }) else {
                    Console.info("no viewer is waiting for an answer")
                    continue
                }
                let answered = session.answer(viewerID: id, allow: command.allow)
                answered.whenSuccess { found in
                    if !found { Console.info("no viewer \(id) is waiting for an answer") }
                }
            }
        }
        thread.name = "pixelpass approvals"
        thread.start()
    }
}
