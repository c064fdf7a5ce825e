import Foundation

/// Human-readable progress and errors on stderr (stdout is reserved for the
/// one line scripts read: the ticket or the URL).
public enum Console {
    private static let lock = NSLock()

    public static func info(_ message: String) {
        write("pixelpass: \(message)\n")
    }

    public static func error(_ message: String) {
        write("pixelpass: error: \(message)\n")
    }

    /// Prints `line` alone on stdout and flushes, for scripts that wait for it.
    public static func output(_ line: String) {
        lock.lock()
        defer { lock.unlock() }
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    private static func write(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        FileHandle.standardError.write(Data(text.utf8))
    }
}
