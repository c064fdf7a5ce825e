import Foundation
import PixelpassTransport

/// Why a viewer could not start or had to stop; the command line maps each
/// to an exit code (`ExitStatus`).
public enum ViewerError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreachable(String)
    /// Nothing answered and the ticket has no relay: most likely the host is
    /// behind a NAT that lets nobody in.
    case noPath(String)
    /// Neither the ticket's addresses nor the DHT rendezvous gave a path;
    /// the rendezvous's diagnosis says why.
    case noRendezvousPath(String)
    case identityMismatch(String)
    case refused(status: Int, message: String)
    case relayUnavailable(port: Int, String)

    public var description: String {
        switch self {
        case .noPath(let detail):
            return "cannot reach the host (\(detail)), and the ticket has no relay: either the share has stopped, or "
                + "the host is behind a NAT that lets nobody in. The host can add a TURN relay (pixelpass host --turn …, or [nat] turn in its config) "
                + "or open a port mapping on its router, then send a new ticket."
        case .noRendezvousPath(let why):
            return "cannot reach the host: \(why.isEmpty ? "no path was found" : why). "
                + "What fixes it: a TURN account on the host (pixelpass host --turn turn:USER:PASS@HOST:PORT, or [nat] turn), "
                + "a port mapping (UPnP, NAT-PMP) on either router, or IPv6 on both sides."
        case .unreachable(let detail):
            return "cannot reach the host: \(detail). Check that the share is still running and that the ticket is current."
        case .identityMismatch(let address):
            return "the host at \(address) is not the one this ticket was made for (its key does not match). Ask your friend for a fresh ticket."
        case .refused(403, let message) where message.hasPrefix("the host "):
            // Turned away by the host's user (--approve) or kicked earlier.
            return message.trimmingCharacters(in: .whitespacesAndNewlines) + "."
        case .refused(403, _):
            return "the host refused the ticket's secret. Ask your friend for a fresh ticket."
        case .refused(503, let message):
            return "\(message.trimmingCharacters(in: .whitespacesAndNewlines)). Try again when someone leaves."
        case .refused(let status, let message):
            return "the host refused the request (HTTP \(status): \(message.trimmingCharacters(in: .whitespacesAndNewlines)))."
        case .relayUnavailable(let port, let detail):
            return "cannot serve the stream on 127.0.0.1:\(port) (\(detail)). Pick another --port or leave it out."
        }
    }

    init(_ error: HTTP3ConnectError) {
        switch error {
        case .identityMismatch(let address): self = .identityMismatch(address)
        case .unreachable(let reasons): self = .unreachable(reasons.joined(separator: "; "))
        }
    }
}
