import Dispatch
import Foundation

/// "⠋ connecting…" on stderr while something takes a while; only on a
/// terminal (a log file or pipe gets one plain line instead).
///
/// `@unchecked Sendable`: the timer's queue and the caller's thread share
/// `frame` and `stopped`, only under `lock`; the rest is set in `init`.
final class Spinner: @unchecked Sendable {
    private static let frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
    private let timer: DispatchSourceTimer
    private let lock = NSLock()
    private var frame = 0
    private var stopped = false
    private let text: String

    /// Starts spinning, or returns nil when stderr is not a terminal.
    static func start(_ text: String) -> Spinner? {
        guard isatty(STDERR_FILENO) == 1 else { return nil }
        return Spinner(text)
    }

    private init(_ text: String) {
        self.text = text
        timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now(), repeating: 0.1)
        timer.setEventHandler { [weak self] in self?.draw() }
        timer.resume()
    }

    private func draw() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        let line = "\r\u{1B}[2K\(Self.frames[frame % Self.frames.count]) \(text)"
        frame += 1
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Clears the spinner line.
    func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        timer.cancel()
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}
