import Foundation
import XCTest

/// A helper process a test starts (Xvfb, an X client, PipeWire). Foundation
/// starts children as leaders of their own process group, so `stop()` ends
/// it together with anything it started.
final class SpawnedProcess {
    let process = Process()
    let name: String
    /// Whether the child leads its own process group (checked, not assumed).
    private var leadsGroup = false

    /// Skips the test, naming the Debian package, when `tool` is missing.
    init(_ tool: String, _ arguments: [String], package: String, environment: [String: String] = [:],
         output: URL? = nil) throws {
        name = tool
        guard let path = Self.locate(tool) else {
            throw XCTSkip("\(tool) is not installed; install the Debian package '\(package)' to run this test")
        }
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardInput = FileHandle.nullDevice
        if let output {
            _ = FileManager.default.createFile(atPath: output.path, contents: nil)
            let handle = try FileHandle(forWritingTo: output)
            process.standardOutput = handle
            process.standardError = handle
        } else {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        leadsGroup = getpgid(process.processIdentifier) == process.processIdentifier
    }

    static func locate(_ tool: String) -> String? {
        ["/usr/bin", "/bin", "/usr/local/bin", "/usr/sbin"].map { "\($0)/\(tool)" }
            .first(where: FileManager.default.isExecutableFile(atPath:))
    }

    var isRunning: Bool { process.isRunning }

    /// SIGTERM to the whole group, SIGKILL after a grace period, then reaps.
    func stop(grace: TimeInterval = 2) {
        guard process.isRunning else { return }
        let target = leadsGroup ? -process.processIdentifier : process.processIdentifier
        kill(target, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
        if process.isRunning {
            kill(target, SIGKILL)
        }
        process.waitUntilExit()
    }

    deinit {
        stop(grace: 0.5)
    }

    /// Polls `condition` every 50 ms until it holds or `timeout` passes.
    static func waitUntil(timeout: TimeInterval, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return condition()
    }

    /// Runs a short command to completion: its exit status and standard output.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String], environment: [String: String] = [:]) -> (status: Int32, output: String) {
        guard let path = locate(tool) else { return (127, "") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return (127, "") }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// A private X server on a free display number, 1280x720.
final class XvfbServer {
    let display: String
    private let server: SpawnedProcess
    private var clients: [SpawnedProcess] = []

    init() throws {
        var lastError = "no free display number"
        for _ in 0 ..< 8 {
            let number = Int.random(in: 150 ... 899)
            guard !FileManager.default.fileExists(atPath: "/tmp/.X11-unix/X\(number)"),
                  !FileManager.default.fileExists(atPath: "/tmp/.X\(number)-lock") else { continue }
            let server = try SpawnedProcess("Xvfb", [":\(number)", "-screen", "0", "1280x720x24", "-nolisten", "tcp", "-noreset"],
                                            package: "xvfb")
            let ready = SpawnedProcess.waitUntil(timeout: 5) {
                server.isRunning && SpawnedProcess.run("xwininfo", ["-display", ":\(number)", "-root"]).status == 0
            }
            if ready {
                self.display = ":\(number)"
                self.server = server
                return
            }
            lastError = server.isRunning ? "Xvfb :\(number) did not answer xwininfo within 5 s" : "Xvfb :\(number) exited"
            server.stop()
        }
        throw XCTSkip("Xvfb could not start (\(lastError)); install the Debian packages 'xvfb' and 'x11-utils'")
    }

    /// Starts an X client on this display and waits until a window whose
    /// title contains `title` is mapped.
    @discardableResult
    func startClient(_ tool: String, _ arguments: [String], package: String, title: String) throws -> SpawnedProcess {
        let client = try SpawnedProcess(tool, arguments, package: package, environment: ["DISPLAY": display])
        clients.append(client)
        let shown = SpawnedProcess.waitUntil(timeout: 5) {
            SpawnedProcess.run("xwininfo", ["-display", display, "-root", "-tree"]).output.contains(title)
        }
        guard shown else {
            throw XCTSkip("\(tool) showed no window titled '\(title)' on \(display) within 5 s")
        }
        return client
    }

    /// Kills the X server (and its clients), as if it crashed.
    func kill() {
        server.stop(grace: 0)
    }

    func stop() {
        for client in clients {
            client.stop(grace: 0.5)
        }
        server.stop()
    }

    deinit {
        stop()
    }
}
