import XCTest
@testable import PixelpassNAT

final class STUNMessageCodecTests: XCTestCase {
    private let transactionID = STUNTransactionID(bytes: Array(1...12))!

    private func roundTrip(_ attributes: [STUNAttribute], file: StaticString = #filePath, line: UInt = #line) throws {
        let message = STUNMessage(method: .allocate, messageClass: .request, transactionID: transactionID,
                                  attributes: attributes)
        let bytes = message.encode()
        XCTAssertEqual(bytes.count % 4, 0, "not padded", file: file, line: line)
        XCTAssertEqual(Int(bytes[2]) << 8 | Int(bytes[3]), bytes.count - 20, "length field", file: file, line: line)
        XCTAssertEqual(try STUNMessage.decode(bytes).message, message, file: file, line: line)
    }

    func testEveryAttributeRoundTrips() throws {
        let all: [STUNAttribute] = [
            .mappedAddress(address("203.0.113.7:3478")),
            .mappedAddress(address("[2001:db8::7]:3478")),
            .xorMappedAddress(address("198.51.100.2:65535")),
            .xorMappedAddress(address("[2001:db8::1:2]:1")),
            .xorPeerAddress(address("10.0.0.1:0")),
            .xorPeerAddress(address("[fe80::1]:4000")),
            .xorRelayedAddress(address("192.0.2.200:50000")),
            .xorRelayedAddress(address("[2001:db8:ffff::9]:50001")),
            .username("1700003600:alice"),
            .realm("pixelpass.test"),
            .nonce("abcDEF0123"),
            .errorCode(STUNErrorCode(code: 438, reason: "Stale Nonce")),
            .errorCode(STUNErrorCode(code: 300, reason: "")),
            .errorCode(STUNErrorCode(code: 699, reason: "Ünïcode reason")),
            .unknownAttributes([0x0024, 0x7FFF, 0x0003]),
            .unknownAttributes([0x0024]),
            .software("pixelpass 1.0"),
            .lifetime(600),
            .lifetime(0),
            .requestedTransport(17),
            .channelNumber(0x4000),
            .channelNumber(0x4FFF),
            .data([]),
            .data([1]),
            .data(Array(0...255)),
            .priority(0x6E00_01FF),
            .useCandidate,
            .iceControlled(.max),
            .iceControlling(1),
            .other(type: 0x8123, value: [9, 8, 7]),
            .other(type: 0x001C, value: Array(repeating: 0xAB, count: 32)),
        ]
        for attribute in all { try roundTrip([attribute]) }
        try roundTrip(all)
    }

    func testMethodAndClassBits() throws {
        let cases: [(STUNMethod, STUNClass, UInt16)] = [
            (.binding, .request, 0x0001), (.binding, .successResponse, 0x0101), (.binding, .errorResponse, 0x0111),
            (.binding, .indication, 0x0011), (.allocate, .request, 0x0003), (.allocate, .errorResponse, 0x0113),
            (.refresh, .request, 0x0004), (.send, .indication, 0x0016), (.data, .indication, 0x0017),
            (.createPermission, .request, 0x0008), (.channelBind, .successResponse, 0x0109),
            (.other(0xFFF), .errorResponse, 0x3FFF),
        ]
        for (method, messageClass, type) in cases {
            let message = STUNMessage(method: method, messageClass: messageClass, transactionID: transactionID)
            XCTAssertEqual(message.messageType, type, "\(method) \(messageClass)")
            let bytes = message.encode(fingerprint: true)
            XCTAssertEqual(UInt16(bytes[0]) << 8 | UInt16(bytes[1]), type)
            let decoded = try STUNMessage.decode(bytes).message
            XCTAssertEqual(decoded.method, method)
            XCTAssertEqual(decoded.messageClass, messageClass)
        }
    }

    func testIntegrityAndFingerprintTogether() throws {
        let key = STUNKey.longTerm(username: "u", realm: "r", password: "p")
        let message = STUNMessage(method: .refresh, messageClass: .request, transactionID: transactionID,
                                  attributes: [.lifetime(0), .username("u"), .realm("r"), .nonce("n")])
        let bytes = message.encode(integrity: key, fingerprint: true)
        let decoded = try STUNMessage.decode(bytes)
        XCTAssertTrue(decoded.hasValidIntegrity(key: key))
        XCTAssertFalse(decoded.hasValidIntegrity(key: .longTerm(username: "u", realm: "r", password: "q")))
        XCTAssertEqual(decoded.fingerprint, .valid)
        XCTAssertFalse(try STUNMessage.decode(message.encode(fingerprint: true)).hasValidIntegrity(key: key),
                       "no MESSAGE-INTEGRITY must not count as valid")
    }

    func testAttributesAfterIntegrityAreIgnored() throws {
        let key = STUNKey.shortTerm(password: "k")
        var bytes = STUNMessage(method: .binding, messageClass: .request, transactionID: transactionID,
                                attributes: [.lifetime(1)]).encode(integrity: key)
        bytes += [0x00, 0x0D, 0x00, 0x04, 0, 0, 0, 9]  // LIFETIME 9, after MESSAGE-INTEGRITY
        bytes[3] += 8
        let decoded = try STUNMessage.decode(bytes)
        XCTAssertEqual(decoded.message.lifetime, 1)
        XCTAssertEqual(decoded.message.attributes.count, 2)
        XCTAssertTrue(decoded.hasValidIntegrity(key: key))
    }

    func testProbablySTUN() {
        let stun = STUNMessage(method: .binding, messageClass: .request, transactionID: transactionID).encode()
        XCTAssertTrue(STUNMessage.isProbablySTUN(stun))
        XCTAssertTrue(STUNMessage.isProbablySTUN(RFC5769VectorTests.ipv4Response))
        XCTAssertFalse(STUNMessage.isProbablySTUN(Array(stun.prefix(19))))
        var quicLong = stun
        quicLong[0] = 0xC0  // QUIC long header
        XCTAssertFalse(STUNMessage.isProbablySTUN(quicLong))
        var quicShort = stun
        quicShort[0] = 0x40  // QUIC short header (and ChannelData)
        XCTAssertFalse(STUNMessage.isProbablySTUN(quicShort))
        var noCookie = stun
        noCookie[5] = 0x13
        XCTAssertFalse(STUNMessage.isProbablySTUN(noCookie))
    }

    func testTransactionIDRequiresTwelveBytes() {
        XCTAssertNil(STUNTransactionID(bytes: Array(repeating: 0, count: 11)))
        XCTAssertNil(STUNTransactionID(bytes: Array(repeating: 0, count: 13)))
        XCTAssertNotEqual(STUNTransactionID.random(), STUNTransactionID.random())
        XCTAssertEqual(transactionID.description, "0102030405060708090a0b0c")
    }
}
