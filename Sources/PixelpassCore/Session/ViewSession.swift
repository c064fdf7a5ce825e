import Foundation
import NIOCore

/// Runs one watch and reports it as one stream of `ViewSessionEvent`s; the
/// front ends (text, JSON, menu) only render those and call `stop` and
/// `openPlayer`. Like `HostSession`, everything happens on the session's own
/// event loop, where the events are delivered, ending with `ended`.
// Sendable although its state is loop-bound: every public method hops onto
// the session's loop before touching anything.
public final class ViewSession: @unchecked Sendable {
    public typealias EventSink = (ViewSessionEvent) -> Void

    private let configuration: ViewSessionConfiguration
    private let loop = SessionLoop()
    private var eventLoop: EventLoop { loop.eventLoop }
    private let sink: EventSink
    // Loop-bound from here on.
    private var machine = ViewSessionMachine()
    private var viewer: Viewer?
    private var url: String?
    /// The player this session started last, until it exits.
    private var player: PlayerProcess?
    /// The player to open: the configured one until the user picks another.
    private var choice: PlayerChoice
    private var statsTask: RepeatedTask?
    private var meter = BitrateMeter<Int>()
    private var lastPath: ConnectionPath?
    /// The host's last report that changed what the viewer sees.
    private var lastHostVideo: HostVideoReport?

    /// `onEvent` is called on the session's event loop.
    public init(_ configuration: ViewSessionConfiguration, onEvent: @escaping EventSink) {
        self.configuration = configuration
        self.choice = configuration.player
        self.sink = onEvent
    }

    public func start() {
        loop.execute { self.perform(self.machine.start()) }
    }

    /// Stops watching (or trying to); `ended(.interrupted)` follows. From
    /// any thread, at any point until `ended`.
    public func stop() {
        loop.execute { self.perform(self.machine.stop()) }
    }

    /// Opens the player on the stream again, or `another` instead: the one
    /// this session started is ended first, so reopening never doubles it.
    public func openPlayer(_ another: PlayerChoice? = nil) {
        loop.execute {
            guard self.machine.isConnected, let url = self.url else { return }
            if let another { self.choice = another }
            let previous = self.player
            self.player = nil
            self.endPlayer(previous, force: true) { self.launchPlayer(url) }
        }
    }

    // MARK: - Performing the machine's actions

    private func perform(_ action: ViewSessionMachine.Action) {
        switch action {
        case .none:
            return
        case .connect:
            connect()
        case .announce:
            announce()
        case .close:
            statsTask?.cancel()
            // Stopped by the user: an invisible player goes now. When the
            // host ended it, the relay first shows the player why.
            if case .closing(.interrupted) = machine.state, let player, !player.launched.windowed {
                player.signal(SIGTERM)
            }
            guard let viewer else { return perform(machine.closed()) }
            viewer.close().whenComplete { _ in self.perform(self.machine.closed()) }
        case .finish(let error, let end):
            statsTask?.cancel()
            // A windowed player stays (README: it survives Ctrl-C); one
            // without a window never outlives the watch.
            endPlayer(player, force: false) {
                if let error = error { self.sink(.error(error)) }
                self.sink(.ended(end))
                self.loop.release()
            }
        case .discard:
            _ = viewer?.close()
        }
    }

    private func connect() {
        let ticket = configuration.ticket
        sink(.connecting(target: ticket.addresses.map(\.description).joined(separator: ", ")))
        Viewer.connect(ticket, dht: configuration.dht, turn: configuration.turn, introduction: configuration.introduction,
                       logger: configuration.logger, on: eventLoop)
            .flatMap { viewer in
                self.viewer = viewer
                return viewer.startRelay(port: self.configuration.port) { end in
                    self.perform(self.machine.connectionEnded(ViewSessionEnd(end)))
                }
            }
            .whenComplete { result in
                switch result {
                case .success(let url):
                    self.url = url
                    self.perform(self.machine.connectionMade())
                case .failure(let error):
                    // A connection whose relay could not start is no use: close it.
                    _ = self.viewer?.close()
                    self.perform(self.machine.connectionFailed(ViewSessionError(error)))
                }
            }
    }

    private func announce() {
        guard let viewer, let url else { return }
        lastPath = viewer.path
        sink(.connected(url: url, address: viewer.hostAddress, path: viewer.path))
        launchPlayer(url)
        statsTask = loop.every(configuration.statsInterval) { self.sampleStats() }
    }

    private func launchPlayer(_ url: String) {
        let choice = self.choice
        switch PlayerLauncher.launch(choice, url: url) {
        case .success(let launched):
            player = PlayerProcess(launched, choice: choice)
            sink(.playerOpened(choice, launched))
        case .failure(let error):
            sink(.playerFailed(choice, error, url: url))
        }
    }

    /// Ends `process` if it must go (`force`, or it has no window): SIGTERM,
    /// then SIGKILL after `PlayerExit.grace`; `then` runs on the loop once
    /// it is gone (or at once when it stays).
    private func endPlayer(_ process: PlayerProcess?, force: Bool, then: @escaping () -> Void) {
        guard let process, force || !process.launched.windowed, !process.hasExited else { return then() }
        process.signal(SIGTERM)
        var exit = PlayerExit(start: ProcessInfo.processInfo.systemUptime)
        func check() {
            switch exit.next(exited: process.hasExited, now: ProcessInfo.processInfo.systemUptime) {
            case .wait:
                _ = eventLoop.scheduleTask(in: .milliseconds(50)) { check() }
            case .kill:
                process.signal(SIGKILL)
                _ = eventLoop.scheduleTask(in: .milliseconds(50)) { check() }
            case .done:
                then()
            }
        }
        check()
    }

    private func sampleStats() {
        guard machine.isConnected, let viewer else { return }
        if let running = player, running.hasExited {
            player = nil
            sink(.playerClosed(running.choice))
        }
        viewer.status().whenSuccess { status in
            guard self.machine.isConnected else { return }
            if status.path != self.lastPath {
                self.lastPath = status.path
                self.sink(.pathChanged(address: status.hostAddress, path: status.path))
            }
            if let video = status.hostVideo, video.changesWhatIsSeen(since: self.lastHostVideo) {
                self.lastHostVideo = video
                self.sink(.hostVideo(video))
            }
            let rate = self.meter.sample(0, bytes: status.bytesReceived, at: ProcessInfo.processInfo.systemUptime) ?? 0
            self.sink(.stats(status, bitrate: rate))
        }
    }
}
