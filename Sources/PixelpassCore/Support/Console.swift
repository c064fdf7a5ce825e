import Foundation

/// Human-readable progress and errors on stderr (stdout is reserved for what
/// scripts read: the ticket or URL line, or JSON events).
///
/// Writes go straight to the file descriptors: a closed stdout (`pixelpass
/// host | head -1`) must not crash a share that viewers are using, so EPIPE
/// (SIGPIPE is ignored at start) turns further stdout output off instead.
public enum Console {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var stdoutClosed = false
    /// `-v`: also print `debug` lines.
    nonisolated(unsafe) public static var verbose = false
    /// When set, info/debug lines go here instead of stderr (the interactive
    /// menu shows them in its own area rather than tearing its screen).
    nonisolated(unsafe) public static var infoSink: ((String) -> Void)?

    public static func info(_ message: String) {
        if let sink = lockedSink() { sink(message); return }
        write("pixelpass: \(message)\n", to: STDERR_FILENO)
    }

    /// Detail for `-v`: what was tried and decided, useful when reporting bugs.
    public static func debug(_ message: String) {
        guard verbose else { return }
        if let sink = lockedSink() { sink(message); return }
        write("pixelpass: debug: \(message)\n", to: STDERR_FILENO)
    }

    public static func error(_ message: String) {
        write("pixelpass: error: \(message)\n", to: STDERR_FILENO)
    }

    /// Prints `line` alone on stdout, for scripts that wait for it. Returns
    /// false once stdout has been closed by its reader.
    @discardableResult
    public static func output(_ line: String) -> Bool {
        lock.lock()
        let closed = stdoutClosed
        lock.unlock()
        guard !closed else { return false }
        if write(line + "\n", to: STDOUT_FILENO) { return true }
        lock.lock()
        stdoutClosed = true
        lock.unlock()
        error("stdout was closed; the share goes on, but no more lines are printed there")
        return false
    }

    private static func lockedSink() -> ((String) -> Void)? {
        lock.lock()
        defer { lock.unlock() }
        return infoSink
    }

    /// Writes everything or fails (EPIPE, EBADF); never raises SIGPIPE when
    /// SIGPIPE is ignored.
    @discardableResult
    private static func write(_ text: String, to descriptor: Int32) -> Bool {
        lock.lock()
        defer { lock.unlock() }
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
