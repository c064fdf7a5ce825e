import PixelpassMedia

/// Why a share could not start or had to end: typed so that one mapping
/// (the command line's `ExitStatus`) turns each into an exit code.
public enum HostSessionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The capture source, encoder or audio cannot be had (bad choices, the
    /// desktop's dialog cancelled, no display …).
    case media(MediaError)
    /// `--app` cannot be routed (no PipeWire, no sink).
    case appAudio(AppAudioError)
    /// The kept ticket (`--keep-ticket`) cannot be read or kept.
    case ticketIdentity(TicketIdentityError)
    /// The --bind address cannot be listened on (in use, not this machine's).
    case cannotListen(String)
    /// The socket, TLS identity or NAT set-up failed; the text says why.
    case startFailed(String)
    /// The capture source went away while sharing.
    case sourceLost(String)

    public var description: String {
        switch self {
        case .media(let error): return error.description
        case .appAudio(let error): return error.description
        case .ticketIdentity(let error): return error.description
        case .cannotListen(let detail): return detail
        case .startFailed(let detail): return detail
        case .sourceLost(let reason): return "the capture source went away (\(reason)): ending the share"
        }
    }
}
