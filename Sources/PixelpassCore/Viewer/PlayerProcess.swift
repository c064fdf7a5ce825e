import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A launched player as the watch owns it. A thread waits for it to exit and
/// reaps it at once, so it never lingers as a zombie (in the menu the
/// process runs on long after the watch). The reaper waits without reaping
/// first (`WNOWAIT`) and reaps under the lock, so a signal sent under the
/// lock can never reach a recycled pid.
final class PlayerProcess: @unchecked Sendable {
    let launched: LaunchedPlayer
    let choice: PlayerChoice
    private let state = NSCondition()
    private var exited = false

    init(_ launched: LaunchedPlayer, choice: PlayerChoice) {
        self.launched = launched
        self.choice = choice
        let pid = launched.pid
        // The thread holds the object until the player exits.
        Thread.detachNewThread { [self] in
            var info = siginfo_t()
            while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
            state.lock()
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
            exited = true
            state.broadcast()
            state.unlock()
        }
    }

    var hasExited: Bool {
        state.lock()
        defer { state.unlock() }
        return exited
    }

    /// Asks it to quit (SIGTERM), or makes it (SIGKILL).
    func signal(_ number: Int32) {
        state.lock()
        defer { state.unlock() }
        if !exited { kill(launched.pid, number) }
    }
}
