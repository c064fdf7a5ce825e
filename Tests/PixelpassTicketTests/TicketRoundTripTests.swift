import XCTest
@testable import PixelpassTicket

final class TicketRoundTripTests: XCTestCase {
    typealias F = TicketFixtures

    func assertRoundTrips(_ ticket: Ticket, file: StaticString = #filePath, line: UInt = #line) {
        let text = ticket.encoded()
        XCTAssertTrue(text.hasPrefix("pixelpass1-"), "\(text) lacks the prefix", file: file, line: line)
        let body = text.dropFirst("pixelpass1-".count)
        XCTAssertFalse(body.isEmpty, file: file, line: line)
        XCTAssertTrue(body.allSatisfy { "abcdefghijklmnopqrstuvwxyz234567".contains($0) },
                      "\(text) has characters outside [a-z2-7]", file: file, line: line)
        XCTAssertEqual(text, text.lowercased(), file: file, line: line)
        XCTAssertEqual(try Ticket.parse(text), ticket, file: file, line: line)
    }

    func testSingleIPv4() {
        assertRoundTrips(Ticket(fingerprint: F.fingerprint, secret: F.secret, addresses: [F.lan]))
    }

    func testSingleIPv6() {
        assertRoundTrips(Ticket(fingerprint: F.fingerprint, secret: F.secret, addresses: [F.ipv6]))
    }

    func testSeveralAddressesKeepTheirOrderAcrossFamilies() {
        let loopback6 = TicketAddress("[::1]:7")!
        let addresses = [F.lan, F.ipv6, F.reflexive, F.mapped, loopback6, F.ipv6, F.lan]
        assertRoundTrips(Ticket(fingerprint: F.fingerprint, secret: F.secret, addresses: addresses))
        XCTAssertEqual(try Ticket.parse(Ticket(fingerprint: F.fingerprint, secret: F.secret, addresses: addresses).encoded()).addresses,
                       addresses)
    }

    func testWithAndWithoutRelay() {
        assertRoundTrips(F.typical)
        assertRoundTrips(F.full)
        var longCredentials = F.typical
        longCredentials.relay = TicketRelay(server: F.relay.server, relayed: F.relay.relayed,
                                            username: String(repeating: "u", count: 255),
                                            password: String(repeating: "p", count: 255)).encoded()
        assertRoundTrips(longCredentials)
    }

    func testSecretLengthLimits() {
        for length in [16, 17, 32, 63, 64] {
            assertRoundTrips(Ticket(fingerprint: F.fingerprint, secret: Array(repeating: 0x5A, count: length), addresses: [F.lan]))
        }
    }

    func testTypicalTicketFitsInAChatLine() {
        let text = F.typical.encoded()
        XCTAssertLessThanOrEqual(text.count, 140, "\(text) is \(text.count) characters")
    }

    /// Pins the record layout the README documents.
    func testRecordLayout() throws {
        let text = Ticket(fingerprint: F.fingerprint, secret: F.secret, addresses: [F.lan, F.reflexive, F.ipv6], relay: [9, 9]).encoded()
        let record = try XCTUnwrap(Base32.decode(String(text.dropFirst(11))))
        let ipv4Entries: [UInt8] = [192, 168, 1, 20, 0xA2, 0xA9, 203, 0, 113, 7, 0xC3, 0x50]
        let ipv6Entry: [UInt8] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xA2, 0xA9]
        let fields: [UInt8] = [1, 32] + F.fingerprint + [2, 16] + F.secret
            + [3, 12] + ipv4Entries + [5, 18] + ipv6Entry + [4, 2, 9, 9]
        XCTAssertEqual(record.count, 3 + fields.count + 4)
        XCTAssertEqual(Array(record[0..<2]), [UInt8(record.count >> 8), UInt8(record.count & 0xFF)])
        XCTAssertEqual(record[2], CRC8.checksum(record[0..<2]))
        XCTAssertEqual(Array(record[3..<(record.count - 4)]), fields)
        let crc = CRC32.checksum(record[0..<(record.count - 4)])
        XCTAssertEqual(Array(record.suffix(4)), [UInt8(crc >> 24), UInt8((crc >> 16) & 0xFF), UInt8((crc >> 8) & 0xFF), UInt8(crc & 0xFF)])
    }

    func testToleratesWhitespaceLineBreaksAndUpperCase() throws {
        let text = F.full.encoded()
        var wrapped = ""
        for (index, character) in text.enumerated() {
            if index > 0 && index % 20 == 0 { wrapped += index % 40 == 0 ? "\r\n" : " \n\t" }
            wrapped.append(character)
        }
        let variants = [
            "  \n" + text + " \n\t",
            wrapped,
            text.uppercased(),
            "\n" + wrapped.uppercased() + "\n",
            text.prefix(30) + "\u{200B}" + text.dropFirst(30),
            "PixelPass1-" + text.dropFirst(11),
        ]
        for variant in variants {
            XCTAssertEqual(try Ticket.parse(variant), F.full, "parsing \(variant.debugDescription)")
        }
    }

    func testUnknownFieldsAreSkipped() throws {
        let fields = F.field(9, [1, 2, 3]) + F.fingerprintField() + F.field(0, [])
            + F.secretField() + F.field(200, Array(repeating: 7, count: 70)) + F.ipv4Field() + F.field(255, [0])
        let ticket = try Ticket.parse(F.text(fields: fields))
        XCTAssertEqual(ticket, Ticket(fingerprint: F.fingerprint, secret: F.secret, addresses: [TicketAddress("10.0.0.1:8080")!]))
    }

    func testAddressFieldsRepeatAndMayHoldSeveralAddresses() throws {
        let ipv6 = [UInt8](repeating: 0, count: 15) + [1, 0, 80]
        let fields = F.fingerprintField() + F.secretField()
            + F.ipv4Field([10, 0, 0, 1, 0, 1, 10, 0, 0, 2, 0, 2]) + F.ipv6Field(ipv6) + F.ipv4Field([10, 0, 0, 3, 0, 3])
        let ticket = try Ticket.parse(F.text(fields: fields))
        XCTAssertEqual(ticket.addresses.map(\.description), ["10.0.0.1:1", "10.0.0.2:2", "[::1]:80", "10.0.0.3:3"])
    }

    func testHexAccessors() {
        XCTAssertEqual(F.typical.fingerprintHex, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
        XCTAssertEqual(F.typical.secretHex, "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf")
        XCTAssertEqual(Ticket.version, 1)
    }
}
