import Foundation
import PixelpassMedia

/// Collects what a running pipeline delivers, from GStreamer threads.
final class ChunkRecorder: @unchecked Sendable {
    struct Arrival {
        var chunk: MediaChunk
        var time: TimeInterval
    }

    private let lock = NSLock()
    private var _arrivals: [Arrival] = []
    private var _failures: [MediaError] = []

    var onChunk: @Sendable (MediaChunk) -> Void {
        { [self] chunk in
            let now = ProcessInfo.processInfo.systemUptime
            lock.lock()
            _arrivals.append(Arrival(chunk: chunk, time: now))
            lock.unlock()
        }
    }

    var onFailure: @Sendable (MediaError) -> Void {
        { [self] error in
            lock.lock()
            _failures.append(error)
            lock.unlock()
        }
    }

    var arrivals: [Arrival] {
        lock.lock()
        defer { lock.unlock() }
        return _arrivals
    }

    var failures: [MediaError] {
        lock.lock()
        defer { lock.unlock() }
        return _failures
    }

    /// Polls until `condition` holds on the arrivals or `timeout` passes.
    @discardableResult
    func wait(timeout: TimeInterval, until condition: ([Arrival]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition(arrivals) { return true }
            if !failures.isEmpty { return false }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return condition(arrivals)
    }
}
