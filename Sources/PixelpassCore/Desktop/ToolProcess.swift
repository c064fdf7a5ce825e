import Foundation

/// What a finished (or abandoned) tool run left behind.
public struct ToolOutcome: Equatable, Sendable {
    public var status: Int32
    public var output: String
    public var errors: String
    /// The tool did not exit within the time limit and was killed.
    public var timedOut: Bool

    public init(status: Int32, output: String = "", errors: String = "", timedOut: Bool = false) {
        self.status = status
        self.output = output
        self.errors = errors
        self.timedOut = timedOut
    }

    public var succeeded: Bool { status == 0 && !timedOut }

    /// The tool's own complaint in one line, for a reason shown to the user.
    public var failureLine: String {
        if timedOut { return "no answer within the time limit" }
        let text = errors.isEmpty ? output : errors
        let line = text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .first { !$0.isEmpty }
        return line ?? "exit status \(status)"
    }
}

/// Why a tool could not be started at all.
public enum ToolLaunchError: Error, Equatable, Sendable {
    case notInstalled(tool: String)
    case couldNotStart(tool: String, reason: String)
}

/// Runs a desktop tool with a time limit, safely for tools that fork into
/// the background (xclip, xsel, wl-copy keep serving the selection; gdbus
/// may activate a service). Their output goes to unlinked temporary files,
/// not pipes: a forked child inherits a pipe and keeps it open, so reading
/// one to EOF would hang until the child quit. For the same reason this
/// spawns and reaps by hand instead of using Foundation's `Process`, which
/// learns of an exit through a socket the child (and so its forked
/// children) inherit. Only the direct child is waited for.
public struct ToolProcess: Sendable {
    public var timeout: TimeInterval
    public var search: ExecutableSearch

    public init(timeout: TimeInterval = 3, search: ExecutableSearch = ExecutableSearch()) {
        self.timeout = timeout
        self.search = search
    }

    public func run(_ tool: String, _ arguments: [String], input: String? = nil,
                    environment: [String: String]? = nil) throws(ToolLaunchError) -> ToolOutcome {
        guard let path = search.locate(tool) else { throw .notInstalled(tool: tool) }
        guard let stdin = ScratchFile(contents: input ?? ""), let stdout = ScratchFile(), let stderr = ScratchFile() else {
            throw .couldNotStart(tool: tool, reason: "no temporary file: \(String(cString: strerror(errno)))")
        }
        let pid: pid_t
        do {
            pid = try Self.spawn(path: path, arguments: [tool] + arguments, environment: environment,
                                 stdin: stdin.descriptor, stdout: stdout.descriptor, stderr: stderr.descriptor)
        } catch let code {
            throw .couldNotStart(tool: tool, reason: String(cString: strerror(code.rawValue)))
        }

        var status = Self.reap(pid, within: timeout)
        let timedOut = status == nil
        if timedOut {
            kill(pid, SIGTERM)
            status = Self.reap(pid, within: 0.5)
            if status == nil {
                kill(pid, SIGKILL)
                var raw: Int32 = 0
                _ = waitpid(pid, &raw, 0)
                status = Self.exitStatus(raw)
            }
        }
        return ToolOutcome(status: status ?? -1, output: stdout.readAll(), errors: stderr.readAll(), timedOut: timedOut)
    }

    private struct SpawnError: Error { var rawValue: Int32 }

    private static func spawn(path: String, arguments: [String], environment: [String: String]?,
                              stdin: Int32, stdout: Int32, stderr: Int32) throws(SpawnError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        // Nothing else of ours leaks into a tool that may live on for hours.
        _ = closeFrom?(&actions, 3)

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer {
            argv.forEach { free($0) }
            envp?.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = argv.withUnsafeBufferPointer { argvBuffer in
            if let envp {
                return envp.withUnsafeBufferPointer { envBuffer in
                    posix_spawn(&pid, path, &actions, nil, argvBuffer.baseAddress!, envBuffer.baseAddress!)
                }
            }
            return posix_spawn(&pid, path, &actions, nil, argvBuffer.baseAddress!, environ)
        }
        guard result == 0 else { throw SpawnError(rawValue: result) }
        return pid
    }

    /// glibc ≥ 2.34 has posix_spawn_file_actions_addclosefrom_np, but the
    /// Glibc module does not import this GNU extension; look it up instead.
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let closeFrom: CloseFrom? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: CloseFrom.self)
    }()

    /// The exit status once `pid` has exited, or nil if it still runs after
    /// `seconds`. Polls: a SIGCHLD handler would be process-wide state.
    private static func reap(_ pid: pid_t, within seconds: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            var raw: Int32 = 0
            let reaped = waitpid(pid, &raw, WNOHANG)
            if reaped == pid { return exitStatus(raw) }
            if reaped < 0 && errno != EINTR { return -1 }
            if Date() >= deadline { return nil }
            usleep(5_000)
        }
    }

    /// The exit code, or 128 + signal like a shell (WIFEXITED and friends
    /// are macros Swift cannot import).
    private static func exitStatus(_ raw: Int32) -> Int32 {
        let signal = raw & 0x7f
        return signal == 0 ? (raw >> 8) & 0xff : 128 + signal
    }
}

/// An anonymous temporary file (tmpfile(3): already unlinked, gone when
/// closed), shared with the child as one of its standard streams.
private final class ScratchFile {
    let handle: FileHandle
    private let file: UnsafeMutablePointer<FILE>
    var descriptor: Int32 { fileno(file) }

    init?(contents: String = "") {
        guard let file = tmpfile() else { return nil }
        self.file = file
        // The handle does not close the descriptor: fclose in deinit does.
        handle = FileHandle(fileDescriptor: fileno(file), closeOnDealloc: false)
        if !contents.isEmpty {
            handle.write(Data(contents.utf8))
            // The child shares this file offset; it must start reading at 0.
            lseek(fileno(file), 0, SEEK_SET)
        }
    }

    func readAll() -> String {
        lseek(fileno(file), 0, SEEK_SET)
        let data = (try? handle.readToEnd()) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    deinit {
        fclose(file)
    }
}
