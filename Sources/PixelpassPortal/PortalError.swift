/// Why the ScreenCast portal gave no stream, in words a user can act on.
public enum PortalError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The user closed or cancelled the desktop's share dialog.
    case cancelled
    /// No session bus, no portal service, or a portal without ScreenCast.
    case unavailable(String)
    /// The portal answered a step with an error.
    case failed(step: String, detail: String)
    /// The portal offers neither of the source types asked for.
    case sourceTypeNotOffered(wanted: String)
    /// `Start` granted no stream.
    case noStreams
    /// A step got no answer in time.
    case noAnswer(step: String, seconds: Int)
    /// The desktop ended the screen cast (the user pressed its "stop sharing").
    case closedByDesktop

    public var description: String {
        switch self {
        case .cancelled:
            return "sharing cancelled by the user (the desktop's screen-share dialog was closed)"
        case let .unavailable(reason):
            return "the desktop's ScreenCast portal is not available (\(reason)); install xdg-desktop-portal and your desktop's backend (xdg-desktop-portal-gnome, -kde or -wlr), or share an X11 screen with --source x11"
        case let .failed(step, detail):
            return "the ScreenCast portal refused \(step): \(detail)"
        case let .sourceTypeNotOffered(wanted):
            return "this desktop's ScreenCast portal cannot share a \(wanted); try --portal-source any"
        case .noStreams:
            return "the ScreenCast portal granted no stream to share"
        case let .noAnswer(step, seconds):
            return "the ScreenCast portal did not answer \(step) within \(seconds) s"
        case .closedByDesktop:
            return "the desktop stopped the screen cast"
        }
    }
}
