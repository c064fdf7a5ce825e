import Foundation
import PixelpassCore
import Synchronization

/// Reads `host`'s stdin on its own thread (answers for --approve, kick,
/// new-ticket) and hands the commands to the session. Which viewers wait
/// is told to it by the renderer (main thread), so "a" alone can mean the
/// one that asked first.
final class HostInput: Sendable {
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

    /// Reads stdin until it ends (at once for /dev/null).
    func start() {
        let thread = Thread { [self] in
            while let line = readLine() {
                guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
                guard let command = HostInputCommand(line: line) else {
                    Console.info("commands: a / d (allow or deny the viewer waiting, or: allow ID, deny ID), kick ID, new-ticket")
                    continue
                }
                perform(command)
            }
        }
        thread.name = "pixelpass host input"
        thread.start()
    }

    private func perform(_ command: HostInputCommand) {
        switch command {
        case let .answer(allow, viewerID):
            guard let id = viewerID ?? waiting.withLock({ $0.first }) else {
                Console.info("no viewer is waiting for an answer")
                return
            }
            session.answer(viewerID: id, allow: allow).whenSuccess { found in
                if !found { Console.info("no viewer \(id) is waiting for an answer") }
            }
        case .kick(let id):
            session.kick(viewerID: id).whenSuccess { found in
                if !found { Console.info("no viewer \(id) to kick") }
            }
        case .newTicket:
            session.replaceTicket()
        }
    }
}
