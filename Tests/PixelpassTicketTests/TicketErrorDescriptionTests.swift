import XCTest
import PixelpassTicket

final class TicketErrorDescriptionTests: XCTestCase {
    let all: [TicketError] = [
        .empty, .notATicket, .unsupportedVersion(2), .invalidCharacter("0", position: 45),
        .invalidCharacter("\u{00A0}", position: 3), .truncated(got: 40, expected: 63), .checksumMismatch,
        .malformed("secret has 3 bytes; expected 16 to 64"),
    ]

    func testEachIsOneSentenceOnOneLine() {
        for error in all {
            let text = error.description
            XCTAssertFalse(text.contains("\n"), text)
            XCTAssertTrue(text.hasSuffix("."), text)
            XCTAssertTrue(text.first?.isUppercase ?? false, text)
            XCTAssertTrue(text.contains(":"), "\(text) should say what is wrong, then what to do")
        }
    }

    func testWordings() {
        XCTAssertEqual(TicketError.truncated(got: 40, expected: 63).description,
                       "This ticket is truncated (got 40 of 63 bytes): copy the whole line again.")
        XCTAssertEqual(TicketError.checksumMismatch.description,
                       "This ticket has a typo or was altered (its checksum does not match): copy it again instead of retyping it.")
        XCTAssertEqual(TicketError.unsupportedVersion(2).description,
                       "This ticket uses format version 2, but this pixelpass reads only version 1: update pixelpass to the same release as the host.")
        XCTAssertEqual(TicketError.invalidCharacter("0", position: 45).description,
                       "This ticket has \"0\" at position 45, but tickets use only letters and the digits 2 to 7: copy the ticket again instead of retyping it.")
        XCTAssertTrue(TicketError.invalidCharacter("\u{00A0}", position: 3).description.contains("U+00A0"))
        XCTAssertTrue(TicketError.malformed("no address").description.contains("(no address)"))
        XCTAssertTrue(TicketError.notATicket.description.contains("\"pixelpass1-\""))
    }
}
