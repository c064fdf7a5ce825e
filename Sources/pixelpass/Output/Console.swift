import Foundation
import Synchronization

/// Human-readable progress and errors on stderr (stdout is reserved for what
/// scripts read: the ticket or URL line, or JSON events).
///
/// Writes go straight to the file descriptors: a closed stdout (`pixelpass
/// host | head -1`) must not crash a share that viewers are using, so EPIPE
/// (SIGPIPE is ignored at start) turns further stdout output off instead.
enum Console {
    /// What the console remembers. One lock guards it: `verbose` and the
    /// sink are set by the front end and read from any thread that logs.
    private struct State {
        var stdoutClosed = false
        var verbose = false
        /// When `-v` was turned on (at start): debug lines say how long after it they come.
        var verboseSince = ContinuousClock.now
        var infoSink: (@Sendable (String) -> Void)?
    }

    private static let state = Mutex(State())
    /// Serialises whole writes to stderr/stdout so lines never interleave.
    private static let writeLock = Mutex(())

    /// `-v`: also print `debug` lines.
    static var verbose: Bool {
        get { state.withLock { $0.verbose } }
        set {
            state.withLock {
                $0.verbose = newValue
                $0.verboseSince = .now
            }
        }
    }

    /// When set, info/debug lines go here instead of stderr (the interactive
    /// menu shows them in its own area rather than tearing its screen).
    static var infoSink: (@Sendable (String) -> Void)? {
        get { state.withLock { $0.infoSink } }
        set { state.withLock { $0.infoSink = newValue } }
    }

    static func info(_ message: String) {
        if let sink = infoSink { sink(message); return }
        write("pixelpass: \(message)\n", to: STDERR_FILENO)
    }

    /// Detail for `-v`: what was tried and decided, useful when reporting bugs.
    static func debug(_ message: String) {
        guard let since = state.withLock({ $0.verbose ? $0.verboseSince : nil }) else { return }
        if let sink = infoSink { sink(message); return }
        write("pixelpass: debug: [+\(secondsText(since: since))s] \(message)\n", to: STDERR_FILENO)
    }

    /// "12.345": a bug report's timeline (which punch came before which lookup).
    private static func secondsText(since: ContinuousClock.Instant) -> String {
        let elapsed = ContinuousClock.now - since
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return String(format: "%.3f", seconds)
    }

    static func error(_ message: String) {
        write("pixelpass: error: \(message)\n", to: STDERR_FILENO)
    }

    /// Prints `line` alone on stdout, for scripts that wait for it. Returns
    /// false once stdout has been closed by its reader.
    @discardableResult
    static func output(_ line: String) -> Bool {
        guard !state.withLock({ $0.stdoutClosed }) else { return false }
        if write(line + "\n", to: STDOUT_FILENO) { return true }
        state.withLock { $0.stdoutClosed = true }
        error("stdout was closed; the share goes on, but no more lines are printed there")
        return false
    }

    /// Writes everything or fails (EPIPE, EBADF); never raises SIGPIPE when
    /// SIGPIPE is ignored.
    @discardableResult
    private static func write(_ text: String, to descriptor: Int32) -> Bool {
        writeLock.withLock { _ in writeAll(text, to: descriptor) }
    }

    private static func writeAll(_ text: String, to descriptor: Int32) -> Bool {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            bytes = bytes.dropFirst(written)
        }
        return true
    }
}
