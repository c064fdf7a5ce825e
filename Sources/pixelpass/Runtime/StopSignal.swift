import Dispatch
import Foundation

/// Blocks the main thread until SIGINT/SIGTERM or until code calls `stop`,
/// and reports which happened.
final class StopSignal<Reason>: @unchecked Sendable {
    enum Cause {
        case interrupted
        case stopped(Reason)
    }

    private let semaphore = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var cause: Cause?
    private var sources: [DispatchSourceSignal] = []

    init() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in self?.finish(.interrupted) }
            source.resume()
            sources.append(source)
        }
    }

    func stop(_ reason: Reason) { finish(.stopped(reason)) }

    func wait() -> Cause {
        semaphore.wait()
        lock.lock()
        defer { lock.unlock() }
        return cause!
    }

    private func finish(_ value: Cause) {
        lock.lock()
        let first = cause == nil
        if first { cause = value }
        lock.unlock()
        if first { semaphore.signal() }
    }
}
