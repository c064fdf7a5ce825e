import PixelpassCore

/// The share as plain text: progress on stderr (also under `--output json`),
/// and, unless JSON is on stdout, the ticket alone on stdout for scripts.
struct HostTextRenderer {
    var printsTicket: Bool

    mutating func render(_ event: HostSessionEvent) {
        switch event {
        case .preparing(let portalNotice):
            if let portalNotice { Console.info(portalNotice) }
        case .ticket(let ticket):
            if printsTicket { Console.output(ticket.text) }
            if ticket.kept { Console.info(Self.keptNotice) }
        case .listening(let listening):
            describe(listening)
        case .ticketReplaced(let ticket):
            if printsTicket { Console.output(ticket.text) }
            Console.info("new ticket\(printsTicket ? " above" : ""): the old one no longer lets anyone in; viewers watching now stay")
        case .viewerJoined, .viewerLeft, .pathChanged, .stats, .approvalEnded:
            break  // the host logs viewers as they come and go, in more detail
        case .approvalRequested(let id, let name, let address):
            let who = name.map { "\($0) (\(id))" } ?? id
            Console.info("\(who) from \(address) wants to watch: type a and Enter to allow, d to deny"
                         + (printsTicket ? "" : " (or: allow \(id) / deny \(id))"))
        case .error(let error):
            Console.error(error.description)
        case .stopping(.stopped):
            Console.info("stopping: closing viewers")
        case .stopping(.sourceLost), .stopping(.failed), .ended:
            break
        }
    }

    static let keptNotice = "this ticket stays valid for later shares (--keep-ticket); --new-ticket replaces it"

    private func describe(_ listening: HostListening) {
        Console.info("capture: \(listening.capture)")
        if case .unavailable(let reason) = listening.audio {
            Console.info("warning: no system audio (\(reason)); sharing video only")
        }
        if !listening.reflexive.isEmpty {
            Console.info("STUN: the internet sees this host at \(listening.reflexive.joined(separator: ", "))")
        }
        if let relay = listening.relay {
            Console.info("TURN relay ready at \(relay.relayed) (via \(relay.server))")
        }
        if let problem = listening.relayProblem {
            Console.info("warning: no TURN relay in the ticket: \(problem); friends behind a strict NAT may not get through")
        }
        if listening.loopbackOnly {
            Console.info("sharing on \(listening.addresses.joined(separator: ", ")) only: the ticket above works on this machine alone (bind to 0.0.0.0, the default, to share with a friend)")
        } else {
            Console.info("sharing on \(listening.addresses.joined(separator: ", ")); send the ticket above to a friend, who runs: pixelpass TICKET")
        }
        Console.info("press Ctrl-C to stop sharing")
    }
}
