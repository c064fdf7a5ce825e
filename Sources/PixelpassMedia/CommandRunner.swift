import Foundation
import Synchronization

/// Runs a desktop inspection tool (xrandr, xwininfo, pw-dump, pactl) and
/// collects its output, with a time limit so a wedged server cannot hang
/// `resolve`.
struct CommandRunner: Sendable {
    struct Result: Sendable {
        var status: Int32
        var output: String
        var errors: String
        var timedOut: Bool

        /// The tool's own complaint, one line, for error messages.
        var failureText: String {
            if timedOut { return "no answer within the time limit" }
            let text = (errors.isEmpty ? output : errors).trimmingCharacters(in: .whitespacesAndNewlines)
            let firstLines = text.split(whereSeparator: \.isNewline).prefix(2).joined(separator: " ")
            return firstLines.isEmpty ? "exit status \(status)" : firstLines
        }
    }

    var timeout: TimeInterval = 5
    /// Where to look for tools; the process's PATH plus the usual places.
    var searchPath: [String] = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return path.split(separator: ":").map(String.init) + ["/usr/bin", "/bin", "/usr/local/bin"]
    }()

    func locate(_ tool: String) -> String? {
        searchPath.map { "\($0)/\(tool)" }.first(where: FileManager.default.isExecutableFile(atPath:))
    }

    /// Throws `ifMissing` when the tool is not installed.
    func run(_ tool: String, _ arguments: [String], ifMissing: MediaError) throws -> Result {
        guard let path = locate(tool) else { throw ifMissing }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw ifMissing
        }

        // Both pipes are drained at once so a chatty tool cannot block on a full one.
        let group = DispatchGroup()
        let collected = Collected()
        group.enter()
        DispatchQueue.global().async {
            collected.setOutput(output.fileHandleForReading.readDataToEndOfFile())
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async {
            collected.setErrors(errors.fileHandleForReading.readDataToEndOfFile())
            group.leave()
        }
        var timedOut = false
        if group.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            process.terminate()
            // A grandchild may still hold the pipes; do not wait for it long.
            _ = group.wait(timeout: .now() + 1)
        }
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      output: String(decoding: collected.output, as: UTF8.self),
                      errors: String(decoding: collected.errors, as: UTF8.self),
                      timedOut: timedOut)
    }

    /// What the two reader threads collected.
    private final class Collected: Sendable {
        private let collected = Mutex((output: Data(), errors: Data()))
        var output: Data { collected.withLock { $0.output } }
        var errors: Data { collected.withLock { $0.errors } }
        func setOutput(_ data: Data) { collected.withLock { $0.output = data } }
        func setErrors(_ data: Data) { collected.withLock { $0.errors = data } }
    }
}
