import Foundation
import Synchronization
import PixelpassMedia

/// Collects what a running pipeline delivers, from GStreamer threads.
final class ChunkRecorder: Sendable {
    struct Arrival {
        var chunk: MediaChunk
        var time: TimeInterval
    }

    private let recorded = Mutex((arrivals: [Arrival](), failures: [MediaError]()))

    var onChunk: @Sendable (MediaChunk) -> Void {
        { [self] chunk in
            let now = ProcessInfo.processInfo.systemUptime
            recorded.withLock { $0.arrivals.append(Arrival(chunk: chunk, time: now)) }
        }
    }

    var onFailure: @Sendable (MediaError) -> Void {
        { [self] error in
            recorded.withLock { $0.failures.append(error) }
        }
    }

    var arrivals: [Arrival] {
        recorded.withLock { $0.arrivals }
    }

    var failures: [MediaError] {
        recorded.withLock { $0.failures }
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
