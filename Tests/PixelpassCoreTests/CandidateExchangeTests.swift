import NIOCore
import PixelpassTicket
import XCTest
@testable import PixelpassCore

final class CandidateExchangeTests: XCTestCase {
    private let v4 = TicketAddress("192.0.2.1:4433")!
    private let v6 = TicketAddress("[2001:db8::1]:4433")!

    // MARK: - Reply, as peers in the field send and read it

    /// What every host so far has sent: hosts and viewers of older
    /// versions must read ours, and we theirs.
    private let fieldReply = "{\"candidates\":[\"192.0.2.1:4433\",\"[2001:db8::1]:4433\"]}\n"

    func testReplyBytesAreWhatOlderPeersSend() {
        XCTAssertEqual(CandidateExchange.responseBody([v4, v6]), fieldReply)
        XCTAssertEqual(CandidateExchange.responseBody([]), "{\"candidates\":[]}\n")
    }

    func testOlderViewersReadOurReply() {
        // How viewers up to now read a reply: the quoted strings that parse.
        func olderViewerParse(_ body: [UInt8]) -> [SocketAddress] {
            String(decoding: body, as: UTF8.self).split(separator: "\"")
                .compactMap { CandidateExchange.socketAddress(String($0)) }
        }
        let body = Array(CandidateExchange.responseBody([v4, v6]).utf8)
        XCTAssertEqual(olderViewerParse(body), [try socket("192.0.2.1", 4433), try socket("2001:db8::1", 4433)])
    }

    func testWeReadOlderHostsReply() throws {
        XCTAssertEqual(CandidateExchange.parseResponse(Array(fieldReply.utf8)),
                       [try socket("192.0.2.1", 4433), try socket("2001:db8::1", 4433)])
    }

    func testReplyWithOtherWhitespaceAndExtraKeysIsRead() throws {
        let body = "{\n  \"version\": 2,\n  \"candidates\" : [ \"198.51.100.7:9\" ]\n}"
        XCTAssertEqual(CandidateExchange.parseResponse(Array(body.utf8)), [try socket("198.51.100.7", 9)])
    }

    // MARK: - Hostile replies

    func testGarbageRepliesGiveNoAddresses() {
        let bodies: [[UInt8]] = [
            [],
            [0xFF, 0xFE, 0x00, 0x22, 0x31],
            Array("not json at all \"1.2.3.4:5\"".utf8),
            Array("{}".utf8),
            Array("[\"1.2.3.4:5\"]".utf8),
            Array("{\"candidates\":\"1.2.3.4:5\"}".utf8),
            Array("{\"candidates\":[\"1.2.3.4:5\",7]}".utf8),
            Array("{\"candidates\":null}".utf8),
            Array("{\"candidates\":[\"1.2.3.4:5\"]".utf8),
            Array(repeating: UInt8(ascii: "["), count: 4_000),
        ]
        for body in bodies {
            XCTAssertEqual(CandidateExchange.parseResponse(body), [], String(decoding: body, as: UTF8.self))
        }
    }

    func testEntriesThatAreNotAddressesAreLeftOut() throws {
        let entries = ["host.example.org:4433", "192.0.2.1", "192.0.2.1:0", "192.0.2.1:70000", "fe80::1%eth0:5",
                       "[fe80::1%eth0]:5", "2001:db8::1:4433", "", "\u{0}", "999.1.1.1:5", "192.0.2.9:5"]
        let body = try JSONEncoder().encode(CandidateExchange.Reply(candidates: entries))
        XCTAssertEqual(CandidateExchange.parseResponse(Array(body)), [try socket("192.0.2.9", 5)])
    }

    func testHugeListsAreCut() throws {
        let many = (0..<200).map { "10.0.\($0 / 250).\($0 % 250 + 1):5" }
        let body = Array(try JSONEncoder().encode(CandidateExchange.Reply(candidates: many)))
        XCTAssertLessThanOrEqual(body.count, CandidateExchange.maxReplyBytes)
        let read = CandidateExchange.parseResponse(body)
        XCTAssertEqual(read.count, CandidateExchange.maxReplyCandidates)
        XCTAssertEqual(read.first, try socket("10.0.0.1", 5))

        let tooLong = Array("{\"candidates\":[\"10.0.0.1:5\"],\"padding\":\"".utf8)
            + Array(repeating: UInt8(ascii: "x"), count: CandidateExchange.maxReplyBytes) + Array("\"}".utf8)
        XCTAssertEqual(CandidateExchange.parseResponse(tooLong), [], "a reply beyond the size limit is not read")
    }

    // MARK: - Request

    func testRequestRoundTrip() throws {
        let token: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 0xFF]
        let mine = [try socket("192.0.2.1", 4433), try socket("2001:db8::1", 5000)]
        let path = CandidateExchange.requestPath(token: token, mine: mine)
        XCTAssertEqual(path, "/v1/candidates?token=01020304050607ff&mine=192.0.2.1:4433,[2001:db8::1]:5000")
        let parsed = try XCTUnwrap(CandidateExchange.parseRequest(queryItems(path)))
        XCTAssertEqual(parsed.token, token)
        XCTAssertEqual(parsed.addresses, mine)
    }

    func testRequestSendsAtMostEightAddresses() throws {
        let mine = try (1...20).map { try socket("10.0.0.\($0)", 9) }
        let path = CandidateExchange.requestPath(token: Array(repeating: 0, count: 8), mine: mine)
        XCTAssertEqual(CandidateExchange.parseRequest(queryItems(path))?.addresses, Array(mine.prefix(8)))
    }

    func testRequestsWithoutAGoodTokenAreRefused() {
        let bad: [[(name: String, value: String)]] = [
            [],
            [("mine", "1.2.3.4:5")],
            [("token", ""), ("mine", "1.2.3.4:5")],
            [("token", "0102030405060708ff")],
            [("token", "01020304050607")],
            [("token", "zz02030405060708")],
            [("token", "0102030405060708090a0b0c0d0e0f10")],
        ]
        for items in bad {
            XCTAssertNil(CandidateExchange.parseRequest(items), "\(items)")
        }
    }

    func testHostileAddressListsAreCutAndFiltered() throws {
        let token = ("token", "0001020304050607")
        XCTAssertEqual(CandidateExchange.parseRequest([token])?.addresses, [])
        let junk = "a,,b:1,1.2.3.4,[::1,999.0.0.1:5,\u{1F600}:5,host.example:8"
        XCTAssertEqual(CandidateExchange.parseRequest([token, ("mine", junk)])?.addresses, [])
        let mixed = "x,192.0.2.7:8"
        XCTAssertEqual(CandidateExchange.parseRequest([token, ("mine", mixed)])?.addresses, [try socket("192.0.2.7", 8)])
        let huge = Array(repeating: "192.0.2.7:8", count: 100_000).joined(separator: ",")
        XCTAssertEqual(CandidateExchange.parseRequest([token, ("mine", huge)])?.addresses.count,
                       CandidateExchange.maxCandidates)
    }

    // MARK: - Helpers

    private func socket(_ ip: String, _ port: Int) throws -> SocketAddress {
        try SocketAddress(ipAddress: ip, port: port)
    }

    /// The query items of `path`, split as the HTTP/3 server splits them.
    private func queryItems(_ path: String) -> [(name: String, value: String)] {
        guard let query = path.split(separator: "?", maxSplits: 1).dropFirst().first else { return [] }
        return query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
    }
}
