import Foundation
import XCTest
import PixelpassTicket

final class TicketInspectJSONTests: XCTestCase {
    typealias F = TicketFixtures

    func object(_ json: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(json.utf8))
        return try XCTUnwrap(value as? [String: Any], "not a JSON object: \(json)", file: file, line: line)
    }

    func testFieldsWithoutRelay() throws {
        let json = try object(F.typical.inspectJSON())
        XCTAssertEqual(Set(json.keys), ["version", "fingerprint_sha256", "secret", "addresses", "reflexive", "relay"])
        XCTAssertEqual(json["version"] as? Int, 1)
        XCTAssertEqual(json["fingerprint_sha256"] as? String, F.typical.fingerprintHex)
        XCTAssertEqual(json["secret"] as? String, "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf")
        XCTAssertEqual(json["addresses"] as? [String], ["192.168.1.20:41641", "203.0.113.7:50000", "198.51.100.9:1"])
        XCTAssertTrue(json["relay"] is NSNull, "relay should be null, is \(String(describing: json["relay"]))")
    }

    func testFieldsWithRelayAndIPv6() throws {
        let json = try object(F.full.inspectJSON())
        XCTAssertEqual(json["addresses"] as? [String], ["192.168.1.20:41641", "[2001:db8::1]:41641", "203.0.113.7:50000"])
        let relay = try XCTUnwrap(json["relay"] as? [String: String])
        XCTAssertEqual(relay, ["server": "198.51.100.1:3478", "relayed": "198.51.100.1:49160",
                               "username": "1795340000:pixelpass", "password": "c2VjcmV0cGFzc3dvcmQ=", "transport": "udp"])
    }

    func testARelayOverTLSShowsItsTransportAndServerName() throws {
        var ticket = F.full
        var relay = try XCTUnwrap(ticket.relayInfo)
        relay.transport = .tls(serverName: "turn.example.org")
        ticket.relay = relay.encoded()
        let json = try object(ticket.inspectJSON())
        let shown = try XCTUnwrap(json["relay"] as? [String: String])
        XCTAssertEqual(shown["transport"], "tls")
        XCTAssertEqual(shown["server_name"], "turn.example.org")
    }

    func testKeysComeInReadingOrderAndArePretty() {
        let text = F.full.inspectJSON()
        let positions = ["\"version\"", "\"fingerprint_sha256\"", "\"secret\"", "\"addresses\"", "\"reflexive\"", "\"relay\""]
            .map { text.range(of: $0)?.lowerBound }
        XCTAssertFalse(positions.contains(nil), text)
        XCTAssertEqual(positions.compactMap { $0 }, positions.compactMap { $0 }.sorted(), text)
        XCTAssertTrue(text.hasPrefix("{\n  \"version\": 1,\n"), text)
        XCTAssertEqual(F.full.inspectJSON(), text, "output is stable")
    }

    func testEmptyAddressListIsStillValidJSON() throws {
        let ticket = Ticket(fingerprint: F.fingerprint, secret: F.secret, addresses: [])
        let json = try object(ticket.inspectJSON())
        XCTAssertEqual(json["addresses"] as? [String], [])
    }
}
