import XCTest
@testable import PixelpassTicket

final class TicketRelayTests: XCTestCase {
    func testRoundTripIPv4AndIPv6() throws {
        let v4 = TicketFixtures.relay
        XCTAssertEqual(try TicketRelay(decoding: v4.encoded()), v4)
        let v6 = TicketRelay(server: TicketAddress("[2001:db8::1]:3478")!, relayed: TicketAddress("[2001:db8::1]:50000")!,
                             username: "u", password: "")
        XCTAssertEqual(try TicketRelay(decoding: v6.encoded()), v6)
    }

    func testTCPAndTLSRelaysRoundTripAndUDPAddsNoBytes() throws {
        var relay = TicketFixtures.relay
        let udp = relay.encoded()
        for transport: TicketRelay.Transport in [.tcp(serverName: "turn.example.org"), .tls(serverName: "127.0.0.1")] {
            relay.transport = transport
            let bytes = relay.encoded()
            XCTAssertEqual(Array(bytes.prefix(udp.count)), udp, "the UDP encoding is a prefix: old readers see UDP")
            XCTAssertEqual(try TicketRelay(decoding: bytes), relay)
            // A truncated name is an error, not a guess.
            XCTAssertThrowsError(try TicketRelay(decoding: Array(bytes.dropLast())))
        }
        XCTAssertEqual(try TicketRelay(decoding: udp).transport, .udp)
    }

    func testALaterTransportIsSkippedNotFatal() throws {
        let bytes = TicketFixtures.relay.encoded() + [9, 3, 0x61, 0x62, 0x63, 0xFF]
        let relay = try TicketRelay(decoding: bytes)
        XCTAssertEqual(relay.transport, .unknown(9))
        XCTAssertEqual(relay.username, TicketFixtures.relay.username)
    }

    func testEveryTruncationIsAnError() {
        let bytes = TicketFixtures.relay.encoded()
        for length in 0..<bytes.count {
            XCTAssertThrowsError(try TicketRelay(decoding: Array(bytes.prefix(length))), "length \(length)")
        }
    }

    func testATicketCarriesItsRelay() throws {
        let ticket = try Ticket.parse(TicketFixtures.full.encoded())
        XCTAssertEqual(try ticket.relayInfo, TicketFixtures.relay)
        XCTAssertNil(try Ticket.parse(TicketFixtures.typical.encoded()).relayInfo)
    }

    func testReflexiveAddressesTravelApartFromTheDialledOnes() throws {
        var ticket = TicketFixtures.full
        ticket.reflexive = [TicketAddress("203.0.113.7:40000")!, TicketAddress("[2001:db8::7]:40000")!]
        let parsed = try Ticket.parse(ticket.encoded())
        XCTAssertEqual(parsed.reflexive, ticket.reflexive)
        XCTAssertEqual(parsed.addresses, ticket.addresses)
        XCTAssertEqual(parsed, ticket)
        XCTAssertEqual(try Ticket.parse(TicketFixtures.full.encoded()).reflexive, TicketFixtures.full.reflexive)
    }
}
