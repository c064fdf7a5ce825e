import PixelpassPortal

/// A granted portal screen cast as the pipeline sees it. The live one is
/// `ScreenCastSession`; tests substitute their own.
protocol PortalCast: AnyObject, Sendable {
    var stream: ScreenCastStream { get }
    /// The PipeWire remote that sees the granted node (`pipewiresrc fd=`).
    var pipeWireFD: Int32 { get }
    var wasClosedByDesktop: Bool { get }
    func onClosedByDesktop(_ handler: @escaping @Sendable () -> Void)
    func close()
}

extension ScreenCastSession: PortalCast {}

/// Opens portal casts; injected through `MediaEnvironment`.
protocol PortalCastOpening: Sendable {
    func open(_ capture: PortalCapture) throws -> any PortalCast
}

/// The desktop's real portal, remembering its restore token.
struct LivePortalCastOpener: PortalCastOpening {
    func open(_ capture: PortalCapture) throws -> any PortalCast {
        let token = capture.tokenStore?.token(for: capture.offer)
        let session: ScreenCastSession
        do {
            session = try ScreenCastPortal.open(ScreenCastOptions(offer: capture.offer, restoreToken: token))
        } catch let error as PortalError {
            throw MediaError.portal(error)
        }
        // Tokens are single use: keep the new one (or forget the spent one).
        try? capture.tokenStore?.save(session.restoreToken, for: capture.offer)
        return session
    }
}
