import ArgumentParser
import PixelpassTicket

struct TicketCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ticket",
        abstract: "Work with tickets.",
        subcommands: [Inspect.self]
    )

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a ticket's fields as JSON (fingerprint, secret, addresses, version).",
            discussion: """
            A truncated or mistyped ticket is reported precisely (exit 2). A ticket
            given as an argument can be read by every user of this machine (ps);
            - reads it from $PIXELPASS_TICKET or, if that is not set, from stdin.

            Examples:
              pixelpass ticket inspect pixelpass1-abc…
              pixelpass ticket inspect - < ticket.txt
              pixelpass ticket inspect pixelpass1-abc… | jq -r '.addresses[]'
            """
        )

        @Argument(help: "The ticket (pixelpass1-…), or - to read it from $PIXELPASS_TICKET or stdin.")
        var ticket: String

        func validate() throws {
            _ = try TicketArgument.parse(ticket)
        }

        func run() throws {
            print(try TicketArgument.parse(ticket).inspectJSON())
        }
    }
}

/// Parses a ticket argument (or, for `-`, the ticket `TicketSource` reads);
/// a bad one is a usage error (exit 2) with the codec's precise reason.
enum TicketArgument {
    static func parse(_ text: String) throws -> Ticket {
        if text == TicketSource.marker { return try parseFromSource() }
        do {
            return try Ticket.parse(text)
        } catch TicketError.notATicket where CommandSuggestion.looksLikeAWord(text)
                    && CommandSuggestion.closest(to: text.lowercased()) != nil {
            // `pixelpass hots` reaches the default (view) command as a ticket.
            throw ValidationError(CommandSuggestion.message(for: text))
        } catch let error as TicketError {
            throw ValidationError(error.description)
        }
    }

    private static func parseFromSource() throws -> Ticket {
        let given: (text: String, origin: TicketSource.Origin)
        switch TicketSource.forThisProcess {
        case .success(let found): given = found
        case .failure(let error): throw ValidationError(error.description)
        }
        do {
            return try Ticket.parse(given.text)
        } catch let error as TicketError {
            throw ValidationError("the ticket \(given.origin.place): \(error.description)")
        }
    }
}
