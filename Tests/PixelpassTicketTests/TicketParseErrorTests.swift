import XCTest
@testable import PixelpassTicket

final class TicketParseErrorTests: XCTestCase {
    typealias F = TicketFixtures

    func assertError(_ text: String, _ expected: TicketError, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(ticketError { try Ticket.parse(text) }, expected, "parsing \(text.debugDescription)", file: file, line: line)
    }

    func testEmpty() {
        assertError("", .empty)
        assertError("  \n\t \r\n", .empty)
    }

    func testNotATicket() {
        assertError("hello", .notATicket)
        assertError("pixelpas", .notATicket)
        assertError("pixelpasz1-aaaa", .notATicket)
        assertError("ticket: " + F.typical.encoded(), .notATicket)
        assertError("https://example.com/", .notATicket)
    }

    func testOtherVersions() {
        assertError("pixelpass2-mzxw6ytboi", .unsupportedVersion(2))
        assertError("PIXELPASS2-MZXW6", .unsupportedVersion(2))
        assertError("pixelpass0-aaaa", .unsupportedVersion(0))
        assertError("pixelpass17-", .unsupportedVersion(17))
        assertError("pixelpass2", .unsupportedVersion(2))
        assertError("pixelpass99999999999999999999999999-aa", .unsupportedVersion(Int.max))
    }

    func testBrokenPrefix() {
        XCTAssertEqual(ticketError { try Ticket.parse("pixelpass-abcd") }, .malformed("no version number follows \"pixelpass\""))
        XCTAssertEqual(ticketError { try Ticket.parse("pixelpass1_abcd") }, .malformed("\"-\" is missing after \"pixelpass1\""))
    }

    func testInvalidCharacterNamesItAndItsPosition() {
        let text = F.typical.encoded()
        var chars = Array(text)
        chars[20] = "0"
        assertError(String(chars), .invalidCharacter("0", position: 21))
        chars[20] = "!"
        assertError(String(chars), .invalidCharacter("!", position: 21))
        // Whitespace parsing ignores does not count toward the position.
        let wrapped = "  " + String(chars[..<10]) + "\n  " + String(chars[10...])
        assertError(wrapped, .invalidCharacter("!", position: 21))
        assertError(F.prefix + "abc=", .invalidCharacter("=", position: 15))
        assertError(F.prefix + "abcé", .invalidCharacter("é", position: 15))
    }

    func testTruncatedWhenTheLengthItselfIsMissing() {
        let minimum = TicketRecord.minimumTicketLength
        XCTAssertEqual(minimum, 67)
        assertError("pixelpass", .truncated(got: 0, expected: minimum))
        assertError("pixelpass1", .truncated(got: 0, expected: minimum))
        assertError("pixelpass1-", .truncated(got: 0, expected: minimum))
        assertError("pixelpass1-aa", .truncated(got: 1, expected: minimum))
    }

    func testExtraCharactersAfterTheEnd() {
        let text = F.typical.encoded()
        assertError(text + "a", .malformed("1 extra character follows the end of the ticket"))
        assertError(text + " thanks", .malformed("6 extra characters follow the end of the ticket"))
        assertError(text + text.dropFirst(11), .malformed("\(text.count - 11) extra characters follow the end of the ticket"))
    }

    func testRecordLengthTooSmall() {
        assertError(F.text(fields: [], length: 6),
                    .malformed("the record length 6 is too small to hold its header and checksum"))
    }

    func testMissingFields() {
        assertError(F.text(fields: F.secretField() + F.ipv4Field()), .malformed("no fingerprint"))
        assertError(F.text(fields: F.fingerprintField() + F.ipv4Field()), .malformed("no secret"))
        assertError(F.text(fields: F.fingerprintField() + F.secretField()), .malformed("no address"))
        assertError(F.text(fields: F.fingerprintField() + F.secretField() + F.relayField(F.relay.encoded())), .malformed("no address"))
        assertError(F.text(fields: F.fingerprintField() + F.secretField() + F.ipv4Field() + F.relayField([4, 1])),
                    .malformed("relay is truncated"))
        assertError(F.text(fields: F.fingerprintField() + F.secretField() + F.ipv4Field() + F.relayField([9])),
                    .malformed("relay has an unknown address family 9"))
        assertError(F.text(fields: []), .malformed("no fingerprint"))
    }

    func testWrongLengths() {
        let rest = F.secretField() + F.ipv4Field()
        assertError(F.text(fields: F.fingerprintField(Array(repeating: 1, count: 31)) + rest),
                    .malformed("fingerprint has 31 bytes; expected 32"))
        assertError(F.text(fields: F.fingerprintField(Array(repeating: 1, count: 33)) + rest),
                    .malformed("fingerprint has 33 bytes; expected 32"))
        let noSecret = F.fingerprintField() + F.ipv4Field()
        assertError(F.text(fields: F.secretField([1, 2, 3]) + noSecret), .malformed("secret has 3 bytes; expected 16 to 64"))
        assertError(F.text(fields: F.secretField([1]) + noSecret), .malformed("secret has 1 byte; expected 16 to 64"))
        assertError(F.text(fields: F.secretField(Array(repeating: 1, count: 15)) + noSecret),
                    .malformed("secret has 15 bytes; expected 16 to 64"))
        assertError(F.text(fields: F.secretField(Array(repeating: 1, count: 65)) + noSecret),
                    .malformed("secret has 65 bytes; expected 16 to 64"))
        let noAddress = F.fingerprintField() + F.secretField()
        assertError(F.text(fields: noAddress + F.ipv4Field([1, 2, 3, 4, 5, 6, 7])),
                    .malformed("IPv4 address list has 7 bytes; expected 6 per address"))
        assertError(F.text(fields: noAddress + F.ipv4Field([])),
                    .malformed("IPv4 address list has 0 bytes; expected 6 per address"))
        assertError(F.text(fields: noAddress + F.ipv6Field(Array(repeating: 0, count: 17))),
                    .malformed("IPv6 address list has 17 bytes; expected 18 per address"))
        assertError(F.text(fields: noAddress + F.ipv6Field(Array(repeating: 0, count: 6))),
                    .malformed("IPv6 address list has 6 bytes; expected 18 per address"))
    }

    func testDuplicateFields() {
        let all = F.fingerprintField() + F.secretField() + F.ipv4Field()
        assertError(F.text(fields: all + F.fingerprintField()), .malformed("fingerprint appears twice"))
        assertError(F.text(fields: all + F.secretField()), .malformed("secret appears twice"))
        assertError(F.text(fields: all + F.relayField(F.relay.encoded()) + F.relayField(F.relay.encoded())), .malformed("relay appears twice"))
    }

    func testFieldLengthRunningPastTheEnd() {
        let all = F.fingerprintField() + F.secretField() + F.ipv4Field()
        assertError(F.text(fields: all + [2, 10, 1, 2]), .malformed("secret length runs past the end"))
        assertError(F.text(fields: all + [4]), .malformed("relay length runs past the end"))
        assertError(F.text(fields: all + [9, 0x40]), .malformed("field 9 length runs past the end"))
        assertError(F.text(fields: all + [9, 0xC0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
                    .malformed("field 9 length runs past the end"))
    }
}
