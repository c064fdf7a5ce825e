import Dispatch

/// Calls `tick` every `interval` seconds on a background queue until cancelled
/// (drives `stats` events and the live status).
final class Ticker {
    private let timer: DispatchSourceTimer

    init(every interval: Double, _ tick: @escaping () -> Void) {
        timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler(handler: tick)
        timer.resume()
    }

    func cancel() { timer.cancel() }

    deinit { timer.cancel() }
}
