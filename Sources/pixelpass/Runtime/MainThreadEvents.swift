import Dispatch
import Foundation

/// The main thread's inbox: SIGINT/SIGTERM and events posted from the event
/// loop arrive here in order, so a command waits for "whichever comes first"
/// (e.g. Ctrl-C while still connecting).
///
/// `@unchecked Sendable`: `queue` is guarded by `lock` and counted by the
/// semaphore; `sources` is written in `init` only.
final class MainThreadEvents<Event: Sendable>: @unchecked Sendable {
    enum Next {
        case interrupted
        case event(Event)
    }

    private let semaphore = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var queue: [Next] = []
    private var sources: [DispatchSourceSignal] = []

    init() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in self?.enqueue(.interrupted) }
            source.resume()
            sources.append(source)
        }
    }

    func post(_ event: Event) { enqueue(.event(event)) }

    /// Blocks until the next signal or event.
    func next() -> Next {
        semaphore.wait()
        lock.lock()
        defer { lock.unlock() }
        return queue.removeFirst()
    }

    private func enqueue(_ value: Next) {
        lock.lock()
        queue.append(value)
        lock.unlock()
        semaphore.signal()
    }
}
