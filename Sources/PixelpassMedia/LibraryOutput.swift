import Foundation
import Synchronization

/// What C libraries print on stderr while pixelpass only tries them out.
///
/// Encoder probing makes some libraries complain on stderr by themselves
/// (OpenH264: "[OpenH264] this = 0x…, Error: … cmInitParaError."), which
/// is noise in a terminal, in the menu's screens and in `doctor`. Their
/// output is captured while a probe runs and kept here; `-v` logs it.
public enum LibraryOutput {
    private static let kept = Mutex<[String]>([])
    /// One capture at a time: fd 2 is process-wide.
    private static let capturing = Mutex<Void>(())

    /// The captured lines so far, oldest first, and forgets them.
    public static func take() -> [String] {
        kept.withLock { lines in
            defer { lines.removeAll() }
            return lines
        }
    }

    /// Runs `body` with fd 2 pointed at a temporary file, then restores it
    /// and keeps what was written. Anything else printed on stderr in that
    /// moment (tens of milliseconds) is kept too, not lost.
    static func capture<T>(_ body: () -> T) -> T {
        capturing.withLock { _ in
            // No fflush: C's stderr is unbuffered, and fflush(NULL) would
            // wait for stdin's lock (a thread may sit in readLine).
            let saved = dup(STDERR_FILENO)
            guard saved >= 0, let file = tmpfile() else {
                if saved >= 0 { close(saved) }
                return body()
            }
            defer { fclose(file) }
            dup2(fileno(file), STDERR_FILENO)
            let result = body()
            dup2(saved, STDERR_FILENO)
            close(saved)

            rewind(file)
            var text = Data()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = fread(&buffer, 1, buffer.count, file)
                if count <= 0 { break }
                text.append(contentsOf: buffer[0..<count])
                if text.count > 64 * 1024 { break }  // a library in a loop must not fill memory
            }
            let lines = String(decoding: text, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
            if !lines.isEmpty { kept.withLock { $0 += lines.suffix(100) } }
            return result
        }
    }
}
