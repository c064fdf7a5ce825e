import ArgumentParser
import PixelpassCore
import PixelpassMedia

/// The exit codes scripts rely on (README "Exit codes"), and the one place
/// that decides which typed error or end gives which. Nothing else in
/// pixelpass writes an exit number.
enum ExitStatus: Int32, Equatable {
    case success = 0
    /// The capture source went away, or an unexpected failure.
    case failure = 1
    /// Bad usage, bad ticket, or a choice that cannot work here.
    case usage = 2
    /// Cannot reach the host, or contact lost.
    case unreachable = 3
    /// The host's key is not the one the ticket pins.
    case identityMismatch = 4
    /// Refused by the host: wrong secret, full, or removed.
    case refused = 5
    /// The user closed the desktop's screen-share dialog without choosing.
    case cancelled = 6

    var exitCode: ExitCode { ExitCode(rawValue) }

    // MARK: Host

    init(_ end: HostSessionEnd) {
        switch end {
        case .stopped: self = .success
        case .sourceLost: self = .failure
        case .failed(let error): self.init(error)
        }
    }

    init(_ error: HostSessionError) {
        switch error {
        case .media(let error): self.init(error)
        // `--app` that cannot work here is a bad choice, like a missing monitor.
        case .appAudio: self = .usage
        case .ticketIdentity(let error): self.init(error)
        // A --bind address in use or not this machine's is the user's choice to change.
        case .cannotListen: self = .usage
        case .startFailed, .sourceLost: self = .failure
        }
    }

    /// A kept ticket that is damaged, unreadable or readable by others is the
    /// user's file to fix (the message says how); failing to write one is not.
    init(_ error: TicketIdentityError) {
        switch error {
        case .unreadable, .corrupt, .tooOpen: self = .usage
        case .writeFailed: self = .failure
        }
    }

    /// Bad media choices are usage errors; the portal's own failures are not.
    init(_ error: MediaError) {
        switch error {
        case .portal(.cancelled): self = .cancelled
        case .portal(.unavailable), .portal(.sourceTypeNotOffered): self = .usage
        case .portal(.failed), .portal(.noStreams), .portal(.noAnswer), .portal(.closedByDesktop): self = .failure
        case .missingElement, .pipelineFailed, .invalidSettings, .alreadyRunning, .noDisplay, .displayUnavailable,
             .noSuchMonitor, .noSuchWindow, .windowNotShown, .noMatchingWindow, .ambiguousWindow, .noSuchNode,
             .notAVideoNode, .pipeWireUnavailable, .toolMissing, .sourceLost, .unknownEncoder, .encoderUnavailable,
             .noWorkingEncoder:
            self = .usage
        }
    }

    // MARK: Viewer

    init(_ end: ViewSessionEnd) {
        switch end {
        case .interrupted, .hostEnded, .closed: self = .success
        case .removed: self = .refused
        case .lostContact: self = .unreachable
        case .failed(let error): self.init(error)
        }
    }

    init(_ error: ViewSessionError) {
        switch error {
        case .viewer(.unreachable), .viewer(.noPath), .viewer(.noRendezvousPath): self = .unreachable
        case .viewer(.identityMismatch): self = .identityMismatch
        case .viewer(.refused): self = .refused
        case .viewer(.relayUnavailable): self = .usage
        case .other: self = .failure
        }
    }

    // MARK: Others

    /// `pixelpass doctor`: whether sharing can work here.
    init(doctor report: DoctorReport) {
        self = report.sharingCanWork ? .success : .failure
    }

    /// ArgumentParser's own codes, except that a validation failure is ours (2, not 64).
    init(argumentParser code: ExitCode) {
        self = code == .validationFailure ? .usage : (ExitStatus(rawValue: code.rawValue) ?? .failure)
    }
}
