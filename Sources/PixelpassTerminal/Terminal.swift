import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The controlling terminal in raw mode, on the alternate screen. The one
/// owner of the saved terminal settings: `restore()` (also run at exit and on
/// deinit) puts the user's terminal back exactly as it was.
public final class Terminal: Sendable {
    /// The user's settings to put back, and whether raw mode is on. Its lock
    /// also serialises writes, so a redraw never interleaves with `restore`.
    private struct State {
        var saved: termios
        var active: Bool
    }

    private let state: Mutex<State>
    /// The terminal `atexit` restores (a C callback cannot capture it).
    private static let current = Mutex<Terminal?>(nil)

    /// Whether the menu can run: stdin and stdout are both terminals.
    public static var isInteractive: Bool { isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 }

    public init() throws {
        var saved = termios()
        guard tcgetattr(STDIN_FILENO, &saved) == 0 else { throw TerminalError.notATerminal }
        var raw = saved
        // No line buffering, echo or signal keys: Ctrl+C arrives as a byte so
        // every screen can stop cleanly. Output processing stays on (\n → \r\n).
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO | ISIG | IEXTEN)
        raw.c_iflag &= ~tcflag_t(IXON | ICRNL | INLCR)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) == 0 else { throw TerminalError.notATerminal }
        state = Mutex(State(saved: saved, active: true))
        Terminal.current.withLock { $0 = self }
        atexit { Terminal.current.withLock { $0 }?.restore() }
        // Alternate screen, hidden cursor, bracketed paste.
        write("\u{1B}[?1049h\u{1B}[?25l\u{1B}[?2004h")
    }

    deinit { restore() }

    /// Leaves raw mode and the alternate screen; safe to call twice.
    public func restore() {
        state.withLock { state in
            guard state.active else { return }
            state.active = false
            rawWrite("\u{1B}[?2004l\u{1B}[?25h\u{1B}[?1049l")
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &state.saved)
        }
    }

    /// Columns and rows right now (80x24 when the size is unknown).
    public var size: (columns: Int, rows: Int) {
        var window = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &window) == 0, window.ws_col > 0 else { return (80, 24) }
        return (Int(window.ws_col), Int(window.ws_row))
    }

    /// Redraws the whole screen with `lines` (each ends with clear-to-end-of-line,
    /// then everything below is cleared): no flicker, and a resize needs nothing more.
    public func draw(_ lines: [String]) {
        var frame = "\u{1B}[H"
        for line in lines { frame += line + "\u{1B}[K\r\n" }
        frame += "\u{1B}[J"
        write(frame)
    }

    /// Clears the screen (after a resize, wrapped rows may linger otherwise).
    public func clear() { write("\u{1B}[2J\u{1B}[H") }

    public func write(_ text: String) {
        state.withLock { _ in rawWrite(text) }
    }

    private func rawWrite(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
            if written < 0 { if errno == EINTR { continue }; return }
            bytes = bytes.dropFirst(written)
        }
    }

    /// Reads keys on a background thread and hands each batch to `deliver`
    /// (runs until the process ends; stdin belongs to the menu).
    public func startReadingKeys(_ deliver: @escaping @Sendable ([Key]) -> Void) {
        let thread = Thread {
            var decoder = KeyDecoder()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 {
                    deliver([.endOfInput])
                    return
                }
                let keys = decoder.feed(Array(buffer[0..<count]))
                if !keys.isEmpty { deliver(keys) }
            }
        }
        thread.start()
    }
}

public enum TerminalError: Error, CustomStringConvertible {
    case notATerminal

    public var description: String { "stdin is not a terminal" }
}
