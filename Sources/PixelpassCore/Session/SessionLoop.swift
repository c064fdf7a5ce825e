import Dispatch
import NIOCore
import NIOPosix

/// The one event-loop thread a session lives on: its state is only touched
/// there and its events are delivered from there, in order. Given back once
/// the session has ended.
///
/// `@unchecked Sendable`: both properties are set in `init` and never
/// change; the group and the loop are thread-safe themselves.
final class SessionLoop: @unchecked Sendable {
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let eventLoop: EventLoop

    init() {
        eventLoop = group.next()
    }

    func execute(_ task: @escaping () -> Void) {
        eventLoop.execute(task)
    }

    /// Calls `task` on the loop every `seconds`, first after one interval.
    func every(_ seconds: Double, _ task: @escaping () -> Void) -> RepeatedTask {
        let interval = TimeAmount.milliseconds(Int64(seconds * 1000))
        return eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in task() }
    }

    /// Ends the thread after the task running now; not from the loop itself,
    /// as a group cannot wait for its own thread.
    func release() {
        DispatchQueue.global().async { [group] in try? group.syncShutdownGracefully() }
    }
}
