import Logging
import Dispatch
import Foundation
import NIOCore
import PixelpassMedia

/// Runs one share and reports it as one stream of `HostSessionEvent`s; the
/// front ends (text, JSON, menu) only render those and call `stop`, `kick`.
///
/// Everything after `init` happens on the session's own event loop, where
/// the events are delivered, in order, ending with `ended`. Resolving the
/// media (which may wait for the desktop's dialog) runs on a background
/// queue; nothing here blocks the loop.
// Sendable although its state is loop-bound: every public method hops onto
// the session's loop before touching anything.
public final class HostSession: @unchecked Sendable {
    public typealias EventSink = (HostSessionEvent) -> Void

    private let configuration: HostSessionConfiguration
    private let loop = SessionLoop()
    private var eventLoop: EventLoop { loop.eventLoop }
    private let sink: EventSink
    // Loop-bound from here on.
    private var machine = HostSessionMachine()
    private var hostConfiguration: HostConfiguration
    private var media: ResolvedMedia?
    /// Bound and gathering while the media resolves; taken by `startHost`.
    private var network: EventLoopFuture<HostNetwork>?
    private var appAudio: AppAudioRouter?
    private var host: Host?
    private var statsTask: RepeatedTask?
    private var rates = HostRateTracker()

    /// `onEvent` is called on the session's event loop; hand the events over
    /// to the thread that renders them.
    public init(_ configuration: HostSessionConfiguration, onEvent: @escaping EventSink) {
        self.configuration = configuration
        self.hostConfiguration = configuration.host
        self.sink = onEvent
    }

    public func start() {
        loop.execute { self.perform(self.machine.start()) }
    }

    /// Ends the share: viewers are told, the relay and port mapping given
    /// back; `ended(.stopped)` follows. From any thread, at any point until `ended`.
    public func stop() {
        loop.execute { self.perform(self.machine.stop()) }
    }

    /// Disconnects the viewer with this short id; false if there is none.
    public func kick(viewerID: String) -> EventLoopFuture<Bool> {
        eventLoop.flatSubmit {
            self.host?.kick(viewerID: viewerID) ?? self.eventLoop.makeSucceededFuture(false)
        }
    }

    /// Lets the waiting viewer with this short id in, or turns it away;
    /// false if no viewer waits with that id.
    public func answer(viewerID: String, allow: Bool) -> EventLoopFuture<Bool> {
        eventLoop.flatSubmit {
            self.host?.answer(viewerID: viewerID, allow: allow) ?? self.eventLoop.makeSucceededFuture(false)
        }
    }

    /// A new secret and ticket (`ticketReplaced` follows); viewers watching
    /// now stay, everyone else on the old ticket is dropped.
    public func replaceTicket() {
        eventLoop.execute {
            guard let host = self.host else { return }
            host.replaceTicket().whenSuccess { ticket in
                self.sink(.ticketReplaced(HostTicket(text: ticket.encoded(), fingerprint: ticket.fingerprintHex,
                                                     kept: self.hostConfiguration.ticketIdentity.keepsTicket)))
            }
        }
    }

    /// Turns approval of new viewers on or off while sharing.
    public func setApprovalRequired(_ required: Bool) {
        loop.execute {
            self.hostConfiguration.approveViewers = required
            _ = self.host?.setApprovalRequired(required)
        }
    }

    // MARK: - Performing the machine's actions

    private func perform(_ action: HostSessionMachine.Action) {
        switch action {
        case .none:
            return
        case .resolveMedia:
            network = Host.prepareNetwork(hostConfiguration, on: eventLoop)
            resolveMedia()
        case .startHost:
            startHost()
        case .announce:
            announce()
        case .shutDown(let error, let end):
            if let error { sink(.error(error)) }
            sink(.stopping(end))
            statsTask?.cancel()
            guard let host else { return perform(machine.shutdownFinished()) }
            host.shutdown().whenComplete { _ in self.perform(self.machine.shutdownFinished()) }
        case .finish(let error, let end, let closeMedia):
            if closeMedia { media?.closeCapture() }
            appAudio?.stop()
            appAudio = nil
            if let error { sink(.error(error)) }
            // A share that never started still gives back its port mapping,
            // relay and socket before the loop goes.
            releaseUnusedNetwork().whenComplete { _ in
                self.sink(.ended(end))
                self.loop.release()
            }
        case .releaseLateStart:
            media?.closeCapture()
            appAudio?.stop()
            appAudio = nil
        }
    }

    /// The application sink, GStreamer and the capture source: all may block
    /// (pactl, the desktop's dialog), so off the loop.
    private func resolveMedia() {
        sink(.preparing(portalNotice: configuration.host.media.source.portalNotice))
        let application = configuration.application
        let requested = configuration.host.media
        let logger = configuration.host.logger
        DispatchQueue.global().async {
            var media = requested
            var router: AppAudioRouter?
            let result: Result<ResolvedMedia, HostSessionError>
            do {
                GStreamer.initialize()
                if let application {
                    let started = try AppAudioRouter.start(application: application)
                    started.onChange = { logger.info("\($0)") }
                    media.application = ApplicationAudio(name: application, sink: started.sinkName)
                    router = started
                }
                result = .success(try MediaPipeline.resolve(media))
            } catch let error as AppAudioError {
                result = .failure(.appAudio(error))
            } catch let error as MediaError {
                result = .failure(.media(error))
            } catch {
                result = .failure(.startFailed("\(error)"))
            }
            self.loop.execute { [media] in
                self.appAudio = router
                self.hostConfiguration.media = media
                switch result {
                case .success(let media):
                    self.media = media
                    self.perform(self.machine.mediaResolved())
                case .failure(let error):
                    self.perform(self.machine.mediaFailed(error))
                }
            }
        }
    }

    private func releaseUnusedNetwork() -> EventLoopFuture<Void> {
        guard let network else { return eventLoop.makeSucceededVoidFuture() }
        self.network = nil
        return network.flatMap { $0.release() }.recover { _ in }
    }

    private func startHost() {
        guard let media, let network else { return }
        self.network = nil
        network.map { Host.start(self.hostConfiguration, media: media, network: $0) }.whenComplete { result in
            switch result {
            case .success(let host):
                self.host = host
                host.onEvent = { event in self.sink(HostSessionEvent(event)) }
                // Re-entered from the broadcaster or the portal: act on the next turn.
                host.onSourceLost = { reason in
                    self.loop.execute { self.perform(self.machine.sourceLost(reason)) }
                }
                self.perform(self.machine.hostStarted())
            case .failure(let error):
                let failure: HostSessionError
                switch error {
                case let error as TicketIdentityError: failure = .ticketIdentity(error)
                case let error as HostError: failure = .cannotListen(error.description)
                default: failure = .startFailed("\(error)")
                }
                self.perform(self.machine.hostFailed(failure))
            }
        }
    }

    private func announce() {
        guard let host else { return }
        let ticket = host.ticket
        sink(.ticket(HostTicket(text: ticket.encoded(), fingerprint: ticket.fingerprintHex,
                                kept: hostConfiguration.ticketIdentity.keepsTicket)))
        let relay = (try? ticket.relayInfo) ?? nil
        sink(.listening(HostListening(addresses: ticket.addresses.map(\.description),
                                      reflexive: ticket.reflexive.map(\.description),
                                      relay: relay.map { (relayed: $0.relayed.description, server: $0.server.description) },
                                      relayProblem: host.relayProblem,
                                      capture: host.media.summary, encoder: host.media.encoder,
                                      audio: host.media.audio, maxViewers: hostConfiguration.maxViewers)))
        statsTask = loop.every(configuration.statsInterval) { self.sampleStats() }
    }

    private func sampleStats() {
        guard machine.isRunning, let host else { return }
        host.status().whenSuccess { status in
            guard self.machine.isRunning else { return }
            let sampled = self.rates.rates(for: status, at: ProcessInfo.processInfo.systemUptime)
            self.sink(.stats(status, sampled))
        }
    }
}
