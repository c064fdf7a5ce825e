/// Why a kept ticket (`--keep-ticket`) cannot be used or kept. Each says
/// which file and what the user can do; the command line maps them to exit
/// codes in one place (`ExitStatus`).
public enum TicketIdentityError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file is there but cannot be opened or read.
    case unreadable(path: String, reason: String)
    /// The file is not what pixelpass wrote (damaged, truncated, edited),
    /// or its partner file is missing.
    case corrupt(path: String, problem: String)
    /// Other users may read the file: the key or secret may have leaked.
    case tooOpen(path: String, mode: UInt32)
    /// The new key and secret could not be written.
    case writeFailed(path: String, reason: String)

    public var description: String {
        let renew = "pixelpass host --keep-ticket --new-ticket"
        switch self {
        case .unreadable(let path, let reason):
            return "cannot read the kept ticket \(path) (\(reason)): make it readable to you (chmod 600 \(path)), "
                + "or run \(renew) to make a new one"
        case .corrupt(let path, let problem):
            return "the kept ticket \(path) cannot be used (\(problem)): run \(renew) to make a new one "
                + "(the old ticket stops working)"
        case .tooOpen(let path, let mode):
            return "the kept ticket \(path) can be read by other users (mode \(TicketIdentityStore.octal(mode))): "
                + "run chmod 600 \(path), or \(renew) to replace a ticket that may have leaked"
        case .writeFailed(let path, let reason):
            return "cannot keep the ticket in \(path) (\(reason)): make its folder writable, or share without --keep-ticket"
        }
    }
}
