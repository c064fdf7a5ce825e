import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Which local player the viewer opens.
public enum PlayerChoice: String, CaseIterable, Sendable {
    case mpv, vlc, none

    /// mpv if installed, else VLC, else none.
    public static func automatic() -> PlayerChoice {
        if PlayerLauncher.find("mpv") != nil { return .mpv }
        if PlayerLauncher.find("vlc") != nil || PlayerLauncher.find("cvlc") != nil { return .vlc }
        return .none
    }
}

/// A player pixelpass started; still our child process, so we can tell
/// when it is closed.
public struct LaunchedPlayer: Equatable, Sendable {
    public var command: String
    public var pid: pid_t
    /// Whether it shows a window the user can close. A player without one
    /// (VLC's dummy interface, or any player started with no display) is
    /// invisible, so it must never outlive the viewer.
    public var windowed: Bool = true

    public init(command: String, pid: pid_t, windowed: Bool = true) {
        self.command = command
        self.pid = pid
        self.windowed = windowed
    }

    /// True once the player has exited (reaps it; call from one thread).
    public func hasExited() -> Bool {
        var status: Int32 = 0
        let rv = waitpid(pid, &status, WNOHANG)
        return rv == pid || (rv < 0 && errno == ECHILD)
    }
}

public enum PlayerLauncher {
    /// Low-latency options that do not starve audio under jitter (DESIGN §8).
    static func mpvArguments(url: String) -> [String] {
        ["--profile=low-latency", "--audio-buffer=0.2", "--cache=no", "--force-window=immediate",
         "--title=pixelpass", url]
    }

    /// `--play-and-exit`: VLC quits when the stream ends, as mpv does
    /// (its dummy interface would otherwise idle on, invisible, for ever).
    static func vlcArguments(url: String) -> [String] {
        ["--network-caching=300", "--play-and-exit", "--meta-title=pixelpass", url]
    }

    /// The command a user can paste to open the stream themselves.
    public static func suggestedCommand(url: String) -> String {
        (["mpv"] + mpvArguments(url: url)).joined(separator: " ")
    }

    /// Starts the player in its own session, so the terminal's Ctrl-C does
    /// not reach it and a windowed player survives pixelpass. A player with
    /// no window is tied to us instead (`pdeathsig`): the caller terminates
    /// it when the watch ends, and the kernel does if we die first.
    public static func launch(_ choice: PlayerChoice, url: String,
                              environment: [String: String] = ProcessInfo.processInfo.environment) -> Result<LaunchedPlayer, PlayerLaunchError> {
        let executable: String
        let arguments: [String]
        var windowed = hasDisplay(environment)
        switch runnable(choice) {
        case .failure(let error):
            return .failure(error)
        case .success(let found):
            executable = found
        }
        switch choice {
        case .none:
            return .failure(.notRequested)
        case .mpv:
            arguments = mpvArguments(url: url)
        case .vlc:
            arguments = vlcArguments(url: url)
            // cvlc is `vlc -I dummy`: a video window at most, no interface to quit from.
            if executable.hasSuffix("/cvlc") || !VLCPlugins.hasGraphicalInterface() { windowed = false }
        }
        do {
            let pid = try spawnDetached(executable, arguments, diesWithUs: !windowed)
            return .success(LaunchedPlayer(command: ([executable] + arguments).joined(separator: " "), pid: pid,
                                           windowed: windowed))
        } catch {
            return .failure(.spawnFailed(choice, "\(error)"))
        }
    }

    /// The executable that would play the stream for `choice`, or why none can.
    public static func runnable(_ choice: PlayerChoice) -> Result<String, PlayerLaunchError> {
        switch choice {
        case .none:
            return .failure(.notRequested)
        case .mpv:
            return find("mpv").map { .success($0) } ?? .failure(.notInstalled(.mpv))
        case .vlc:
            // Without its Qt plugin `vlc` has no interface and quits at once;
            // `cvlc` (no interface, just the video window) works either way.
            let executable = VLCPlugins.hasGraphicalInterface() ? (find("vlc") ?? find("cvlc")) : (find("cvlc") ?? find("vlc"))
            guard let executable else { return .failure(.notInstalled(.vlc)) }
            if geteuid() == 0 { return .failure(.vlcAsRoot) }
            if let missing = VLCPlugins.missing() { return .failure(.missingPlugin(missing)) }
            return .success(executable)
        }
    }

    /// The players that can play the stream here and now, in the menu's order.
    public static func runnablePlayers() -> [PlayerChoice] {
        [PlayerChoice.mpv, .vlc].filter { (try? runnable($0).get()) != nil }
    }

    /// A player can open a window only where there is a display to open it on.
    static func hasDisplay(_ environment: [String: String]) -> Bool {
        !(environment["DISPLAY"] ?? "").isEmpty || !(environment["WAYLAND_DISPLAY"] ?? "").isEmpty
    }

    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    private static func spawnDetached(_ executable: String, _ arguments: [String], diesWithUs: Bool) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // POSIX_SPAWN_SETSID (glibc 2.26+) is 0x80; Glibc does not export the macro to Swift.
        posix_spawnattr_setflags(&attributes, Int16(0x80))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // The player's chatter would garble our terminal output.
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        // posix_spawn runs no code in the child, so PR_SET_PDEATHSIG is set
        // by util-linux's setpriv, which then execs the player (same pid).
        // It fires when the thread that spawned it ends: the session's loop
        // thread, which outlives the watch. Without setpriv the explicit
        // terminate at the end of the watch still applies.
        var command = [executable] + arguments
        if diesWithUs, let setpriv = find("setpriv") {
            command = [setpriv, "--pdeathsig", "TERM", "--"] + command
        }
        let argv = command.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rv = posix_spawn(&pid, command[0], &actions, &attributes, argv, environ)
        if rv != 0 { throw PlayerLaunchError.spawnFailed(.none, String(cString: strerror(rv))) }
        return pid
    }

    /// Whether the player's executable is on PATH.
    public static func isInstalled(_ choice: PlayerChoice) -> Bool {
        switch choice {
        case .mpv: return find("mpv") != nil
        case .vlc: return find("vlc") != nil || find("cvlc") != nil
        case .none: return true
        }
    }
}

public enum PlayerLaunchError: Error, Equatable, Sendable, CustomStringConvertible {
    case notRequested
    case notInstalled(PlayerChoice)
    case spawnFailed(PlayerChoice, String)
    case missingPlugin(VLCPlugins.Missing)
    case vlcAsRoot

    public var description: String {
        switch self {
        case .notRequested: return "no player requested"
        case .notInstalled(.vlc): return "VLC is not installed (sudo apt-get install vlc)"
        case .notInstalled(let choice): return "\(choice.rawValue) is not installed (sudo apt-get install \(choice.rawValue))"
        case .spawnFailed(let choice, let reason): return "could not start \(choice.rawValue): \(reason)"
        case .vlcAsRoot:
            return "VLC refuses to run as root; run pixelpass as your normal user, or use --player mpv"
        case .missingPlugin(let missing):
            return "VLC cannot play this stream: its \(missing.purpose) plugin (\(missing.file)) is missing (sudo apt-get install \(missing.debianPackage))"
        }
    }
}
