import XCTest
@testable import PixelpassTicket

/// Tickets as they arrive after a trip through chat apps and people.
final class TicketChatPasteTests: XCTestCase {
    typealias F = TicketFixtures

    func testWrappedTicketsReadAsTheTicket() throws {
        let ticket = F.typical.encoded()
        let pastes: [(String, String)] = [
            ("Discord/Slack inline code", "`\(ticket)`"),
            ("a code block", "```\n\(ticket)\n```"),
            ("a code block with a language", "```\n\(ticket)\n```\n"),
            ("straight double quotes", "\"\(ticket)\""),
            ("straight single quotes", "'\(ticket)'"),
            ("curly quotes (macOS, Word)", "\u{201C}\(ticket)\u{201D}"),
            ("curly single quotes", "\u{2018}\(ticket)\u{2019}"),
            ("German quotes", "\u{201E}\(ticket)\u{201C}"),
            ("guillemets", "\u{00AB}\u{00A0}\(ticket)\u{00A0}\u{00BB}"),
            ("quoted, then a full stop", "\"\(ticket)\"."),
            ("a full stop", "\(ticket)."),
            ("an exclamation and an ellipsis", "\(ticket)!\u{2026}"),
            ("a comma and a space", " \(ticket), "),
            ("angle brackets (autolink)", "<\(ticket)>"),
            ("markdown bold", "**\(ticket)**"),
            ("brackets", "(\(ticket))"),
            ("Slack's zero-width space and NBSP", "\u{200B}`\(ticket)`\u{00A0}"),
            ("upper case in quotes", "\"\(ticket.uppercased())\""),
        ]
        for (name, paste) in pastes {
            XCTAssertEqual(try Ticket.parse(paste), F.typical, name)
        }
    }

    func testATicketThatStillFailsKeepsItsPreciseError() {
        let ticket = F.typical.encoded()
        // A character lost in the middle: the checksum, not "not a ticket".
        var damaged = Array(ticket)
        damaged[30] = damaged[30] == "a" ? "b" : "a"
        XCTAssertNotEqual(ticketError { try Ticket.parse("`\(String(damaged))`") }, .notATicket)
        XCTAssertEqual(ticketError { try Ticket.parse("`\(String(damaged))`") },
                       ticketError { try Ticket.parse(String(damaged)) })
        // An invalid character inside keeps its position within the ticket.
        var bad = Array(ticket)
        bad[20] = "0"
        XCTAssertEqual(ticketError { try Ticket.parse("\"\(String(bad))\".") }, .invalidCharacter("0", position: 21))
        XCTAssertEqual(ticketError { try Ticket.parse("``") }, .empty)
        XCTAssertEqual(ticketError { try Ticket.parse("\"hello\"") }, .notATicket)
    }
}
