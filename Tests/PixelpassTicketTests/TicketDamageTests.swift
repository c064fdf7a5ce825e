import XCTest
@testable import PixelpassTicket

/// What people do to tickets in chat: cut them short and mistype them.
final class TicketDamageTests: XCTestCase {
    typealias F = TicketFixtures

    func testEveryCutIsReportedAsTruncated() throws {
        for ticket in [F.typical, F.full] {
            let text = ticket.encoded()
            let recordLength = Base32.decode(String(text.dropFirst(11)))!.count
            for length in 11..<text.count {
                let cut = String(text.prefix(length))
                guard case .truncated(let got, let expected)? = ticketError({ try Ticket.parse(cut) }) else {
                    XCTFail("cut to \(length) characters: got \(String(describing: ticketError { try Ticket.parse(cut) }))")
                    continue
                }
                XCTAssertEqual(got, (length - 11) * 5 / 8, "cut to \(length) characters")
                XCTAssertLessThan(got, expected)
                if got >= 3 {
                    XCTAssertEqual(expected, recordLength, "cut to \(length) characters")
                }
            }
        }
    }

    func testEverySingleCharacterTypoIsCaught() {
        let replacements = Array("abcdefghijklmnopqrstuvwxyz234567") + ["0", "1", "8", "9", "!", "-", "=", "é", "O"]
        for ticket in [F.typical, F.full] {
            let text = Array(ticket.encoded())
            var checked = 0
            for index in 11..<text.count {
                // Case is ignored, so "O" for "o" is no typo.
                for replacement in replacements where replacement.lowercased() != text[index].lowercased() {
                    var typo = text
                    typo[index] = replacement
                    let error = ticketError { try Ticket.parse(String(typo)) }
                    switch error {
                    case .checksumMismatch?:
                        XCTAssertTrue(Base32.digit(for: replacement.unicodeScalars.first!) != nil)
                    case .invalidCharacter(let character, let position)?:
                        XCTAssertEqual(character, replacement)
                        XCTAssertEqual(position, index + 1)
                    case .truncated? where index == text.count - 1 && ".,;:!?".contains(replacement):
                        // Read as the full stop of a sentence around the
                        // ticket, so the last character is missing.
                        break
                    default:
                        XCTFail("\(replacement) at \(index + 1) gave \(String(describing: error)) in \(String(typo))")
                    }
                    checked += 1
                }
            }
            XCTAssertGreaterThan(checked, 3000)
        }
    }

    func testAnUppercaseReplacementIsStillATypo() {
        var text = Array(F.typical.encoded())
        text[40] = text[40] == "a" ? "B" : "A"
        XCTAssertEqual(ticketError { try Ticket.parse(String(text)) }, .checksumMismatch)
    }

    func testSwappedNeighboursAreCaught() {
        let text = Array(F.full.encoded())
        for index in 11..<(text.count - 1) where text[index] != text[index + 1] {
            var swapped = text
            swapped.swapAt(index, index + 1)
            let error = ticketError { try Ticket.parse(String(swapped)) }
            XCTAssertNotNil(error, "swap at \(index + 1) was accepted")
            // Past the 3-byte header (5 characters) the CRC-32 alone decides,
            // and it catches every burst this short.
            if index >= 11 + 5 {
                XCTAssertEqual(error, .checksumMismatch, "swap at \(index + 1)")
            }
        }
    }

    func testADroppedCharacterInTheMiddleIsNeverAccepted() {
        let text = Array(F.full.encoded())
        for index in 11..<text.count {
            var shorter = text
            shorter.remove(at: index)
            XCTAssertNotNil(ticketError { try Ticket.parse(String(shorter)) }, "dropping character \(index + 1)")
        }
    }
}
