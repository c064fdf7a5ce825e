import Foundation

/// A granted screen cast: the portal session, its PipeWire remote and the
/// streams it shows. The one owner of the session, the remote's fd and the
/// bus connection; `close()` (or deinit) ends all three.
public final class ScreenCastSession: @unchecked Sendable {
    /// The session's object path.
    public let handle: String
    public let streams: [ScreenCastStream]
    /// The fd of the PipeWire remote that sees only the granted nodes, for
    /// `pipewiresrc fd=…` (which duplicates it, so it stays ours).
    public let pipeWireFD: Int32
    /// The token to present next time, if the portal gave one.
    public let restoreToken: String?

    private let bus: PortalBus
    private let lock = NSLock()
    /// Guarded by `lock`.
    private var isClosed = false
    private var closedByDesktop = false
    private var closedHandler: (@Sendable () -> Void)?

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
        lock.lock()
        defer { lock.unlock() }
        return closedByDesktop
    }

    /// Called once, on a portal thread, if the desktop ends the cast.
    public func onClosedByDesktop(_ handler: @escaping @Sendable () -> Void) {
        lock.lock()
        let already = closedByDesktop
        closedHandler = already ? nil : handler
        lock.unlock()
        if already { handler() }
    }

    private func desktopClosed() {
        lock.lock()
        guard !closedByDesktop, !isClosed else {
            lock.unlock()
            return
        }
        closedByDesktop = true
        let handler = closedHandler
        closedHandler = nil
        lock.unlock()
        handler?()
    }

    /// Ends the cast: closes the portal session (the desktop's sharing
    /// indicator goes away), the PipeWire remote and the bus connection.
    /// Safe to call more than once.
    public func close() {
        lock.lock()
        let wasClosed = isClosed
        isClosed = true
        closedHandler = nil
        let desktopEnded = closedByDesktop
        lock.unlock()
        guard !wasClosed else { return }
        if !desktopEnded { bus.closeSession(handle) }
        Foundation.close(pipeWireFD)
        bus.close()
    }
}
