import Foundation
import Synchronization

/// A granted screen cast: the portal session, its PipeWire remote and the
/// streams it shows. The one owner of the session, the remote's fd and the
/// bus connection; `close()` (or deinit) ends all three.
public final class ScreenCastSession: Sendable {
    /// The session's object path.
    public let handle: String
    public let streams: [ScreenCastStream]
    /// The fd of the PipeWire remote that sees only the granted nodes, for
    /// `pipewiresrc fd=…` (which duplicates it, so it stays ours).
    public let pipeWireFD: Int32
    /// The token to present next time, if the portal gave one.
    public let restoreToken: String?

    private let bus: PortalBus
    private let state = Mutex(State())

    private struct State {
        var isClosed = false
        var closedByDesktop = false
        var closedHandler: (@Sendable () -> Void)?
    }

    init(bus: PortalBus, grant: ScreenCastHandshake.Grant, pipeWireFD: Int32) {
        self.bus = bus
        handle = grant.session
        streams = grant.streams
        restoreToken = grant.restoreToken
        self.pipeWireFD = pipeWireFD
        bus.onSignal { [weak self] signal in
            guard case let .sessionClosed(path) = signal, let self, path == self.handle else { return }
            self.desktopClosed()
        }
    }

    deinit {
        close()
    }

    /// The stream to capture: the portal was asked for one.
    public var stream: ScreenCastStream { streams[0] }

    /// Whether the desktop ended the cast (its own "stop sharing").
    public var wasClosedByDesktop: Bool {
        state.withLock { $0.closedByDesktop }
    }

    /// Called once, on a portal thread, if the desktop ends the cast.
    public func onClosedByDesktop(_ handler: @escaping @Sendable () -> Void) {
        let already = state.withLock { state in
            state.closedHandler = state.closedByDesktop ? nil : handler
            return state.closedByDesktop
        }
        if already { handler() }
    }

    private func desktopClosed() {
        // The handler runs after the lock is released: it may call back in.
        let handler = state.withLock { state -> (@Sendable () -> Void)? in
            guard !state.closedByDesktop, !state.isClosed else { return nil }
            state.closedByDesktop = true
            defer { state.closedHandler = nil }
            return state.closedHandler
        }
        handler?()
    }

    /// Ends the cast: closes the portal session (the desktop's sharing
    /// indicator goes away), the PipeWire remote and the bus connection.
    /// Safe to call more than once.
    public func close() {
        let (wasClosed, desktopEnded) = state.withLock { state in
            defer {
                state.isClosed = true
                state.closedHandler = nil
            }
            return (state.isClosed, state.closedByDesktop)
        }
        guard !wasClosed else { return }
        if !desktopEnded { bus.closeSession(handle) }
        Foundation.close(pipeWireFD)
        bus.close()
    }
}
