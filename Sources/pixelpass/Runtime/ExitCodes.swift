import ArgumentParser

/// The exit codes scripts rely on (README "Exit codes").
enum ExitCodes {
    static let usage = ExitCode(2)
    static let unreachable = ExitCode(3)
    static let identityMismatch = ExitCode(4)
    static let refused = ExitCode(5)
    /// The user closed the desktop's screen-share dialog without choosing.
    static let cancelled = ExitCode(6)
}
