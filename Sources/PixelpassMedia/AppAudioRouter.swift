import Foundation
import Synchronization

/// Why `--app`, `apps` or `repair` cannot talk to the sound server; each
/// says what to do. Hosts exit 2 on these.
public enum AppAudioError: Error, CustomStringConvertible, Equatable, Sendable {
    /// No PipeWire daemon answered `pw-dump` (or the tool is missing).
    case noPipeWire(reason: String)
    /// pipewire-pulse refused to make the null sink.
    case sinkNotCreated(reason: String)

    /// The sound server's or tool's own words.
    public var reason: String {
        switch self {
        case let .noPipeWire(reason), let .sinkNotCreated(reason): return reason
        }
    }

    public var description: String {
        switch self {
        case let .noPipeWire(reason):
            return "Capturing one application's audio needs a PipeWire sound server (with pipewire-pulse), and none answered (\(reason)); start PipeWire in this session, or share all system audio without --app."
        case let .sinkNotCreated(reason):
            return "The sound server did not create pixelpass's capture sink (\(reason)); check that pipewire-pulse is running (pactl info), or share all system audio without --app."
        }
    }
}

/// An application stream as `pixelpass apps` lists it.
public struct PlayingApplication: Sendable, Equatable {
    public var node: UInt32
    public var name: String
    public var binary: String?
    public var processID: Int?
    public var mediaName: String?
    public var state: String
}

/// Talks to PipeWire with its command-line tools (pw-dump, pw-link, pactl).
struct PipeWireAudioTools: Sendable {
    var runner = CommandRunner(timeout: 3)

    func graph() throws -> PipeWireAudioGraph {
        let result: CommandRunner.Result
        do {
            result = try runner.run("pw-dump", [], ifMissing: .toolMissing(tool: "pw-dump", purpose: "see which applications play audio", debianPackage: "pipewire-bin"))
        } catch {
            throw AppAudioError.noPipeWire(reason: "pw-dump is not installed; install pipewire-bin")
        }
        guard result.status == 0, let graph = PipeWireAudioGraph.parse(dump: result.output) else {
            throw AppAudioError.noPipeWire(reason: "pw-dump: " + result.failureText)
        }
        return graph
    }

    @discardableResult
    func pactl(_ arguments: [String]) throws -> CommandRunner.Result {
        try runner.run("pactl", arguments, ifMissing: .toolMissing(tool: "pactl", purpose: "manage pixelpass's capture sink", debianPackage: "pulseaudio-utils"))
    }

    func link(_ link: PipeWireAudioGraph.Link) -> Bool {
        // pw-link's links linger after it exits and vanish with either port.
        (try? runner.run("pw-link", ["\(link.outputPort)", "\(link.inputPort)"],
                         ifMissing: .toolMissing(tool: "pw-link", purpose: "route an application's audio", debianPackage: "pipewire-bin")))?.status == 0
    }
}

/// `--app NAME`: a pixelpass-owned null sink, plus a watcher that links
/// every stream of that application into it, in addition to the
/// application's own links (so the user still hears it). The pipeline
/// records the sink's monitor; while the application is silent or not
/// running the sink gives silence. Streams that start later, stop and
/// start again are picked up by polling PipeWire every 300 ms.
///
/// The sink carries `pixelpass.pid` and a `pixelpass-` name; `stop()`
/// unloads it, and `pixelpass repair` removes one a crashed host left.
public final class AppAudioRouter: Sendable {
    public let application: String
    public let sinkName: String

    private let tools: PipeWireAudioTools
    private let module: UInt32
    private let state = Mutex(State())
    static let pollInterval: TimeInterval = 0.3

    private struct State {
        var stopped = false
        var onChange: (@Sendable (String) -> Void)?
    }

    /// Called on the watcher thread when the application starts or stops
    /// playing into the share; one line for the host log.
    public var onChange: (@Sendable (String) -> Void)? {
        get { state.withLock { $0.onChange } }
        set { state.withLock { $0.onChange = newValue } }
    }

    private init(application: String, sinkName: String, module: UInt32, tools: PipeWireAudioTools) {
        self.application = application
        self.sinkName = sinkName
        self.module = module
        self.tools = tools
    }

    deinit {
        stop()
    }

    /// Makes the sink and starts watching. Throws `AppAudioError` when
    /// there is no PipeWire or the sink cannot be made.
    public static func start(application: String, pid: Int32 = getpid()) throws -> AppAudioRouter {
        let tools = PipeWireAudioTools()
        _ = try tools.graph()
        let previousDefault = (try? tools.pactl(["get-default-sink"]))?.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let sink = PixelpassTag.appSinkName(pid: pid)
        let result: CommandRunner.Result
        do {
            result = try tools.pactl(["load-module", "module-null-sink", "sink_name=\(sink)",
                                      "sink_properties=" + sinkProperties(application: application, pid: pid)])
        } catch {
            throw AppAudioError.sinkNotCreated(reason: "pactl is not installed; install pulseaudio-utils")
        }
        guard result.status == 0, let module = UInt32(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw AppAudioError.sinkNotCreated(reason: "pactl load-module: " + result.failureText)
        }
        let router = AppAudioRouter(application: application, sinkName: sink, module: module, tools: tools)
        // The sink must exist in the graph before the pipeline targets it.
        let deadline = Date().addingTimeInterval(3)
        while (try? tools.graph())?.sinks[sink] == nil {
            guard Date() < deadline else {
                router.stop()
                throw AppAudioError.sinkNotCreated(reason: "the sink \(sink) did not appear in PipeWire")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        // With no other sink (no sound card) the session manager makes ours
        // the default; never keep the user's default away from them.
        if let previousDefault, !previousDefault.isEmpty, previousDefault != sink,
           (try? tools.pactl(["get-default-sink"]))?.output.trimmingCharacters(in: .whitespacesAndNewlines) == sink,
           (try? tools.graph())?.sinks[previousDefault] != nil {
            _ = try? tools.pactl(["set-default-sink", previousDefault])
        }
        router.startWatching()
        return router
    }

    /// The sink's properties, in pipewire-pulse's `key=value …` syntax:
    /// the tag, a readable description, and lowest priority so the session
    /// manager prefers any real output as the default.
    static func sinkProperties(application: String, pid: Int32) -> String {
        let safeName = String(application.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0) })
        return "\"\(PixelpassTag.pidProperty)=\(pid) \(PixelpassTag.appProperty)=\(safeName.isEmpty ? "app" : safeName)"
            + " node.description=pixelpass-capture-of-\(safeName.isEmpty ? "app" : safeName) priority.session=0 priority.driver=0\""
    }

    private func startWatching() {
        let thread = Thread { [self] in watch() }
        thread.name = "pixelpass app audio"
        thread.start()
    }

    /// Retained by the thread until `stop()`; the host calls `stop()` on
    /// every way out.
    private func watch() {
        var playing: Set<UInt32> = []
        while !isStopped {
            if let graph = try? tools.graph() {
                for link in AppAudioRouting.missingLinks(in: graph, application: application, sink: sinkName) {
                    _ = tools.link(link)
                }
                let now = Set(AppAudioRouting.matchingStreams(in: graph, application: application).map(\.id))
                if now != playing {
                    if playing.isEmpty {
                        onChange?("audio: \(application) is playing; capturing it")
                    } else if now.isEmpty {
                        onChange?("audio: \(application) stopped playing; sending silence until it plays again")
                    }
                    playing = now
                }
            }
            Thread.sleep(forTimeInterval: Self.pollInterval)
        }
    }

    private var isStopped: Bool {
        state.withLock { $0.stopped }
    }

    /// Stops watching and removes the sink (the links go with it). Safe to
    /// call twice.
    public func stop() {
        let wasStopped = state.withLock { state in
            defer { state.stopped = true }
            return state.stopped
        }
        guard !wasStopped else { return }
        _ = try? tools.pactl(["unload-module", "\(module)"])
    }
}

/// `pixelpass apps` and `pixelpass repair`.
public enum PipeWireAudio {
    /// The applications with an audio output stream right now.
    public static func playingApplications() throws -> [PlayingApplication] {
        try PipeWireAudioTools().graph().streams.map { stream in
            PlayingApplication(node: stream.id, name: stream.application ?? stream.binary ?? "unnamed",
                               binary: stream.binary, processID: stream.processID,
                               mediaName: stream.mediaName, state: stream.state)
        }
    }

    /// What one repair removed (or failed to remove).
    public struct Removal: Sendable, Equatable {
        public var name: String
        public var ownerPID: Int32
        public var removed: Bool
        public var detail: String
    }

    /// Removes pixelpass's objects whose host is gone (all with `all`).
    /// Without a PipeWire server there is nothing to remove: objects live
    /// only as long as their server.
    public static func repair(all: Bool) throws -> [Removal] {
        let tools = PipeWireAudioTools()
        let graph = try tools.graph()
        return PixelpassTag.leftovers(in: graph, all: all, isAlive: processIsAlive).map { node in
            let result: CommandRunner.Result?
            if let module = node.pulseModule {
                result = try? tools.pactl(["unload-module", "\(module)"])
            } else {
                result = try? tools.runner.run("pw-cli", ["destroy", "\(node.id)"],
                                               ifMissing: .toolMissing(tool: "pw-cli", purpose: "remove objects", debianPackage: "pipewire-bin"))
            }
            let ok = result?.status == 0
            return Removal(name: node.name, ownerPID: node.ownerPID, removed: ok,
                           detail: ok ? "removed" : "could not remove: " + (result?.failureText ?? "tool missing"))
        }
    }

    /// kill(pid, 0): ESRCH means no such process; EPERM means it exists.
    static func processIsAlive(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }
}
