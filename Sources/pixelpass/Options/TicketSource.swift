import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `-` in place of a ticket: the ticket comes from `$PIXELPASS_TICKET`, else
/// from one line of standard input. A command-line argument is readable by
/// every local user (`ps`, `/proc/PID/cmdline`); the environment and stdin
/// are not.
enum TicketSource {
    static let marker = "-"
    static let environmentVariable = "PIXELPASS_TICKET"

    /// What standard input offered.
    enum StandardInput: Equatable, Sendable {
        /// A terminal: nobody piped a ticket in, and a prompt would echo it.
        case terminal
        /// The first line (nil: it ended before any).
        case line(String?)
    }

    /// Where the text came from, for messages.
    enum Origin: Equatable, Sendable {
        case environment, standardInput

        /// "in $PIXELPASS_TICKET", "on standard input".
        var place: String {
            switch self {
            case .environment: return "in $\(TicketSource.environmentVariable)"
            case .standardInput: return "on standard input"
            }
        }
    }

    /// The ticket's text for `-`. Pure: the environment and standard input
    /// come in. An empty variable counts as unset, as for every other
    /// variable pixelpass reads.
    static func text(environment: [String: String],
                     standardInput: () -> StandardInput) throws(TicketSourceError) -> (text: String, origin: Origin) {
        if let value = environment[environmentVariable], !value.isEmpty {
            guard !isBlank(value) else { throw .blank(.environment) }
            return (value, .environment)
        }
        switch standardInput() {
        case .terminal:
            throw .nothingGiven
        case .line(nil):
            throw .blank(.standardInput)
        case .line(let line?):
            guard !isBlank(line) else { throw .blank(.standardInput) }
            return (line, .standardInput)
        }
    }

    private static func isBlank(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy(\.properties.isWhitespace)
    }

    // MARK: - This process

    /// This process's answer, worked out once: `validate()` and `run()` both
    /// ask, and standard input can be read only once. The variable is then
    /// removed, so players and other children never inherit the secret.
    static let forThisProcess: Result<(text: String, origin: Origin), TicketSourceError> = {
        let result = Result { () throws(TicketSourceError) in
            try text(environment: ProcessInfo.processInfo.environment, standardInput: readStandardInput)
        }
        unsetenv(environmentVariable)
        return result
    }()

    private static func readStandardInput() -> StandardInput {
        if isatty(STDIN_FILENO) == 1 { return .terminal }
        return .line(readLine(strippingNewline: true))
    }
}

/// Why `-` gave no ticket; each says what to do instead.
enum TicketSourceError: Error, Equatable, CustomStringConvertible {
    /// `-` on a terminal with no variable set.
    case nothingGiven
    /// The variable or the line was empty.
    case blank(TicketSource.Origin)

    var description: String {
        switch self {
        case .nothingGiven:
            return "`-` reads the ticket from $\(TicketSource.environmentVariable) or standard input, but the variable is not set "
                + "and standard input is a terminal: pipe the ticket in (pixelpass view - < ticket.txt) "
                + "or set \(TicketSource.environmentVariable)"
        case .blank(let origin):
            return "`-` found no ticket \(origin.place) (it was empty): give it the ticket your friend sent (pixelpass1-…)"
        }
    }
}
