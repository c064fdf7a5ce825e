import XCTest
import PixelpassNAT
@testable import PixelpassDHT

final class KRPCMessageTests: XCTestCase {
    private let idA = NodeID(bytes: ascii("abcdefghij0123456789"))!
    private let idB = NodeID(bytes: ascii("mnopqrstuvwxyz123456"))!

    private func roundTrip(_ message: KRPCMessage, file: StaticString = #filePath, line: UInt = #line) throws {
        let bytes = message.encoded
        XCTAssertTrue(Bencode.isPlausibleKRPC(bytes), file: file, line: line)
        XCTAssertEqual(try KRPCMessage(decoding: bytes), message, file: file, line: line)
    }

    func testPingQueryMatchesBEP5Bytes() throws {
        let message = KRPCMessage(transactionID: ascii("aa"), body: .query(id: idA, .ping, readOnly: false))
        XCTAssertEqual(String(decoding: message.encoded, as: UTF8.self),
                       "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe")
        try roundTrip(message)
    }

    func testEveryQueryRoundTripsWithReadOnlyAndVersion() throws {
        let keyPair = Ed25519KeyPair(seed: [UInt8](repeating: 3, count: 32))!
        let item = try MutableItem(signing: .bytes(ascii("hello")), salt: ascii("h"), seq: 7, keyPair: keyPair)
        let queries: [KRPCQuery] = [
            .ping,
            .findNode(target: idB, want: nil),
            .findNode(target: idB, want: [.v4, .v6]),
            .getPeers(infoHash: idB, want: [.v6]),
            .announcePeer(infoHash: idB, port: 6881, impliedPort: true, token: ascii("tok")),
            .announcePeer(infoHash: idB, port: 51413, impliedPort: false, token: ascii("tok")),
            .get(target: idB, seq: nil, want: nil),
            .get(target: idB, seq: 4, want: [.v4]),
            .put(KRPCPut(item: item, token: ascii("w"), cas: nil)),
            .put(KRPCPut(item: item, token: ascii("w"), cas: 6)),
            .other(method: ascii("sample_infohashes")),
        ]
        for query in queries {
            let message = KRPCMessage(transactionID: [1, 2, 3, 4], body: .query(id: idA, query, readOnly: true),
                                      version: ascii("PP") + [0, 1])
            try roundTrip(message)
            let top = try Bencode.decodeDictionary(message.encoded)
            XCTAssertEqual(top["ro"], .integer(1), query.method)
        }
    }

    func testAnnounceCarriesImpliedPortAndPort() throws {
        let message = KRPCMessage(transactionID: ascii("t"), body: .query(
            id: idA, .announcePeer(infoHash: idB, port: 4000, impliedPort: true, token: ascii("k")), readOnly: true))
        let arguments = try Bencode.decodeDictionary(message.encoded)["a"]?.dictionaryValue
        XCTAssertEqual(arguments?["implied_port"], .integer(1))
        XCTAssertEqual(arguments?["port"], .integer(4000))
        XCTAssertEqual(arguments?["token"], .bytes(ascii("k")))
    }

    func testResponsesWithNodesNodes6ValuesAndIP() throws {
        let response = KRPCResponse(
            id: idB,
            nodes: [NodeInfo(id: idA, address: address("192.0.2.1:6881")), NodeInfo(id: idB, address: address("198.51.100.7:1"))],
            nodes6: [NodeInfo(id: idA, address: address("[2001:db8::1]:6881"))],
            values: [address("203.0.113.9:51413"), address("[2001:db8::2]:443")],
            token: ascii("secret"))
        let message = KRPCMessage(transactionID: ascii("xy"), body: .response(response), version: ascii("LT\u{1}\u{2}"),
                                  requesterAddress: address("203.0.113.5:40000"))
        try roundTrip(message)
        let reply = try Bencode.decodeDictionary(message.encoded)
        XCTAssertEqual(reply["ip"], .bytes(hexBytes("cb007105 9c40")))
        XCTAssertEqual(reply["r"]?.dictionaryValue?["nodes"]?.bytesValue?.count, 52)
        XCTAssertEqual(reply["r"]?.dictionaryValue?["nodes6"]?.bytesValue?.count, 38)
    }

    func testItemResponseAndErrors() throws {
        var response = KRPCResponse(id: idA, token: ascii("t"))
        response.key = [UInt8](repeating: 1, count: 32)
        response.seq = 9
        response.signature = [UInt8](repeating: 2, count: 64)
        response.value = .list([.integer(1)])
        try roundTrip(KRPCMessage(transactionID: ascii("aa"), body: .response(response)))

        let error = KRPCMessage(transactionID: ascii("aa"), body: .error(.methodUnknown()),
                                requesterAddress: address("[2001:db8::9]:1234"))
        XCTAssertTrue(String(decoding: error.encoded, as: UTF8.self).contains("1:eli204e14:Method Unknowne"))
        try roundTrip(error)
    }

    func testMalformedEntriesAreSkippedNotFatal() throws {
        // nodes with a 10-byte tail, values with a 5-byte entry, ip of the wrong size.
        var r: [[UInt8]: BencodeValue] = [:]
        r["id"] = .bytes(idA.bytes)
        r["nodes"] = .bytes(idB.bytes + [192, 0, 2, 1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 10))
        r["values"] = .list([.bytes([1, 2, 3, 4, 5]), .bytes([10, 0, 0, 1, 0, 80]), .integer(3)])
        var top: [[UInt8]: BencodeValue] = [:]
        top["t"] = .bytes(ascii("aa"))
        top["y"] = .bytes(ascii("r"))
        top["r"] = .dictionary(r)
        top["ip"] = .bytes([1, 2, 3])
        let message = try KRPCMessage(decoding: BencodeValue.dictionary(top).encoded)
        guard case .response(let response) = message.body else { return XCTFail("not a response") }
        XCTAssertEqual(response.nodes, [NodeInfo(id: idB, address: address("192.0.2.1:6881"))])
        XCTAssertEqual(response.values, [address("10.0.0.1:80")])
        XCTAssertNil(message.requesterAddress)
    }

    func testRejectsMessagesMissingRequiredFields() {
        for text in ["d1:y1:qe", "d1:t2:aa1:y1:qe", "d1:ade1:q4:ping1:t2:aa1:y1:qe",
                     "d1:t2:aa1:y1:re", "d1:rd2:id3:abce1:t2:aa1:y1:re", "d1:t2:aa1:y1:xe",
                     "d1:eli201ee1:t2:aa1:y1:ee",
                     "d1:ad2:id20:abcdefghij01234567896:target3:abce1:q9:find_node1:t2:aa1:y1:qe"] {
            XCTAssertThrowsError(try KRPCMessage(decoding: ascii(text)), text)
        }
    }

    func testTruncatedAndMutatedMessagesNeverTrap() {
        let message = KRPCMessage(transactionID: ascii("ab"), body: .response(KRPCResponse(
            id: idA, nodes: [NodeInfo(id: idB, address: address("192.0.2.1:6881"))],
            values: [address("10.0.0.1:80")], token: ascii("tok"))), requesterAddress: address("203.0.113.5:1"))
        let bytes = message.encoded
        for cut in 0..<bytes.count {
            XCTAssertThrowsError(try KRPCMessage(decoding: Array(bytes.prefix(cut))))
        }
        var random = SeededGenerator(seed: 11)
        for _ in 0..<2000 {
            var mutated = bytes
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                mutated[Int.random(in: 0..<mutated.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            _ = try? KRPCMessage(decoding: mutated)
        }
    }
}
