/// Ending a player we asked to quit (SIGTERM): wait for it, SIGKILL it after
/// `grace` seconds, give up after `grace + killGrace` (the kernel finishes
/// it; the reaper thread collects it). Time comes in as an argument.
struct PlayerExit: Equatable {
    enum Step: Equatable {
        /// Still running: look again shortly.
        case wait
        /// Past the grace period: SIGKILL, then keep looking.
        case kill
        /// It exited, or we stop waiting.
        case done
    }

    static let grace = 2.0
    static let killGrace = 1.0

    let start: Double
    private(set) var killed = false

    init(start: Double) { self.start = start }

    mutating func next(exited: Bool, now: Double) -> Step {
        if exited { return .done }
        let waited = now - start
        if !killed, waited >= Self.grace {
            killed = true
            return .kill
        }
        return waited >= Self.grace + Self.killGrace ? .done : .wait
    }
}
