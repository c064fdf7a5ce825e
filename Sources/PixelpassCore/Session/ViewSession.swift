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
    private var player: LaunchedPlayer?
    private var statsTask: RepeatedTask?
    private var meter = BitrateMeter<Int>()
    private var lastPath: ConnectionPath?
    /// The host's last report that changed what the viewer sees.
    private var lastHostVideo: HostVideoReport?

    /// `onEvent` is called on the session's event loop.
    public init(_ configuration: ViewSessionConfiguration, onEvent: @escaping EventSink) {
        self.configuration = configuration
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

    /// Opens the configured player on the stream again (after it was closed).
    public func openPlayer() {
        loop.execute {
            guard self.machine.isConnected, let url = self.url else { return }
            self.launchPlayer(url)
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
            guard let viewer else { return perform(machine.closed()) }
            viewer.close().whenComplete { _ in self.perform(self.machine.closed()) }
        case .finish(let error, let end):
            statsTask?.cancel()
            if let error { sink(.error(error)) }
            sink(.ended(end))
            loop.release()
        case .discard:
            _ = viewer?.close()
        }
    }

    private func connect() {
        let ticket = configuration.ticket
        sink(.connecting(target: ticket.addresses.map(\.description).joined(separator: ", ")))
        Viewer.connect(ticket, dht: configuration.dht, turn: configuration.turn, logger: configuration.logger, on: eventLoop)
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
        let choice = configuration.player
        switch PlayerLauncher.launch(choice, url: url) {
        case .success(let launched):
            player = launched
            sink(.playerOpened(choice, launched))
        case .failure(let error):
            sink(.playerFailed(choice, error, url: url))
        }
    }

    private func sampleStats() {
        guard machine.isConnected, let viewer else { return }
        // Reaped here, on the loop: one thread asks (`LaunchedPlayer.hasExited`).
        if let running = player, running.hasExited() {
            player = nil
            sink(.playerClosed(configuration.player))
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
