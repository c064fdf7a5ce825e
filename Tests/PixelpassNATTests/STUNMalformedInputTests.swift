import XCTest
@testable import PixelpassNAT

final class STUNMalformedInputTests: XCTestCase {
    private let transactionID = STUNTransactionID(bytes: Array(repeating: 7, count: 12))!

    private func header(length: Int, type: UInt16 = 0x0101) -> [UInt8] {
        [UInt8(type >> 8), UInt8(type & 0xFF), UInt8(length >> 8), UInt8(length & 0xFF), 0x21, 0x12, 0xA4, 0x42]
            + transactionID.bytes
    }

    private func expect(_ bytes: [UInt8], _ expected: STUNDecodingError, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try STUNMessage.decode(bytes), file: file, line: line) { error in
            XCTAssertEqual(error as? STUNDecodingError, expected, file: file, line: line)
        }
    }

    func testTruncated() {
        expect([], .truncated(needed: 20, available: 0))
        expect(Array(header(length: 0).prefix(19)), .truncated(needed: 20, available: 19))
        expect(header(length: 8) + [0, 0x0D, 0, 4], .truncated(needed: 28, available: 24))
        expect(Array(RFC5769VectorTests.ipv4Response.dropLast()), .truncated(needed: 80, available: 79))
    }

    func testNotSTUN() {
        var bytes = header(length: 0)
        bytes[4] = 0
        expect(bytes, .notSTUN)
        bytes = header(length: 0)
        bytes[0] = 0x80
        expect(bytes, .notSTUN)
    }

    func testBadLength() {
        expect(header(length: 6) + [0, 0x13, 0, 2, 1, 2], .badLength(6))
    }

    func testAttributeOverrunsMessage() {
        // DATA says 9 bytes but the message has room for 8 (value 5 + padding would need 12).
        expect(header(length: 12) + [0, 0x13, 0, 9, 1, 2, 3, 4, 5, 6, 7, 8], .attributeOverrun(type: 0x0013, offset: 20))
        // Value fits but its padding does not: 5 value bytes, 3 padding bytes missing.
        expect(header(length: 12) + [0, 0x13, 0, 9, 1, 2, 3, 4, 5, 6, 7, 8] + [0, 0, 0, 0],
               .attributeOverrun(type: 0x0013, offset: 20))
        expect(header(length: 8) + [0, 0x13, 0, 5, 1, 2, 3, 4], .attributeOverrun(type: 0x0013, offset: 20))
    }

    func testInvalidKnownAttributes() {
        expect(header(length: 8) + [0, 0x0D, 0, 2, 0, 1, 0, 0],
               .invalidAttribute(type: 0x000D, reason: "needs 4 bytes, got 2"))
        expect(header(length: 12) + [0, 0x20, 0, 8, 0, 3, 0, 1, 1, 2, 3, 4],
               .invalidAttribute(type: 0x0020, reason: "unknown address family 3"))
        expect(header(length: 12) + [0, 0x20, 0, 8, 0, 2, 0, 1, 1, 2, 3, 4],
               .invalidAttribute(type: 0x0020, reason: "address family 2 needs 20 bytes, got 8"))
        expect(header(length: 8) + [0, 0x09, 0, 4, 0, 0, 2, 0],
               .invalidAttribute(type: 0x0009, reason: "code 200 outside 300–699"))
        expect(header(length: 8) + [0, 0x06, 0, 2, 0xC3, 0x28, 0, 0],
               .invalidAttribute(type: 0x0006, reason: "not UTF-8"))
        expect(header(length: 24) + [0, 0x08, 0, 19] + Array(repeating: 1, count: 20),
               .invalidAttribute(type: 0x0008, reason: "needs 20 bytes, got 19"))
    }

    func testUnknownComprehensionRequiredIsReported() {
        let bytes = header(length: 16) + [0x7F, 0x01, 0, 0] + [0x00, 0x2F, 0, 4, 1, 2, 3, 4] + [0x92, 0x34, 0, 0]
        expect(bytes, .unknownComprehensionRequired(types: [0x7F01, 0x002F], transactionID: transactionID))
    }

    func testUnknownComprehensionOptionalIsSkipped() throws {
        let bytes = header(length: 16) + [0x80, 0x77, 0, 3, 1, 2, 3, 0] + [0, 0x0D, 0, 4, 0, 0, 0, 60]
        let message = try STUNMessage.decode(bytes).message
        XCTAssertEqual(message.lifetime, 60)
        XCTAssertEqual(message.attributes.first, .other(type: 0x8077, value: [1, 2, 3]))
    }

    func testIgnorableRequiredAttributeDoesNotFail() throws {
        // RESERVATION-TOKEN (0x0022): registered, comprehension-required, useless to us.
        let bytes = header(length: 12) + [0x00, 0x22, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8]
        XCTAssertEqual(try STUNMessage.decode(bytes).message.attributes, [.other(type: 0x0022, value: [1, 2, 3, 4, 5, 6, 7, 8])])
    }

    func testTrailingDatagramBytesAreIgnored() throws {
        let message = STUNMessage(method: .binding, messageClass: .request, transactionID: transactionID,
                                  attributes: [.software("x")])
        let bytes = message.encode()
        let decoded = try STUNMessage.decode(bytes + [1, 2, 3])
        XCTAssertEqual(decoded.message, message)
        XCTAssertEqual(decoded.bytes, bytes)
    }

    /// Random bytes, truncations and bit flips of valid messages, and random
    /// attribute soups behind a valid header: decoding returns or throws a
    /// `STUNDecodingError`, never traps; the same for ChannelData and addresses.
    func testFuzzNeverCrashes() {
        var generator = SeededGenerator(seed: 0x5354_554E)
        let key = STUNKey.shortTerm(password: "k")
        let seeds: [[UInt8]] = [
            RFC5769VectorTests.request, RFC5769VectorTests.ipv4Response, RFC5769VectorTests.ipv6Response,
            RFC5769VectorTests.longTermRequest,
            STUNMessage(method: .allocate, messageClass: .successResponse, transactionID: transactionID,
                        attributes: [.xorRelayedAddress(address("[2001:db8::1]:9")), .lifetime(600),
                                     .errorCode(STUNErrorCode(code: 401, reason: "Unauthorized")),
                                     .unknownAttributes([1, 2])]).encode(integrity: key, fingerprint: true),
        ]
        var decodedCount = 0, errorCount = 0
        for round in 0..<20_000 {
            var bytes: [UInt8]
            switch round % 4 {
            case 0:
                bytes = (0..<Int.random(in: 0..<120, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            case 1:
                let seed = seeds[round % seeds.count]
                bytes = Array(seed.prefix(Int.random(in: 0...seed.count, using: &generator)))
            case 2:
                bytes = seeds[round % seeds.count]
                for _ in 0...Int.random(in: 0..<4, using: &generator) {
                    bytes[Int.random(in: 0..<bytes.count, using: &generator)] ^= 1 << UInt8.random(in: 0..<8, using: &generator)
                }
            default:
                let body = (0..<(4 * Int.random(in: 0..<30, using: &generator))).map { _ in UInt8.random(in: 0...255, using: &generator) }
                bytes = header(length: body.count, type: 0x0001) + body
                // Mostly-plausible TLV types so the attribute decoders get exercised.
                var offset = 20
                while offset + 4 <= bytes.count {
                    bytes[offset] = UInt8.random(in: 0...1, using: &generator) == 0 ? 0 : 0x80
                    bytes[offset + 1] = UInt8.random(in: 0...0x2A, using: &generator)
                    bytes[offset + 2] = 0
                    bytes[offset + 3] = UInt8.random(in: 0...24, using: &generator)
                    offset += 4 + (Int(bytes[offset + 3]) + 3) / 4 * 4
                }
            }
            do {
                let decoded = try STUNMessage.decode(bytes)
                _ = decoded.hasValidIntegrity(key: key)
                _ = decoded.fingerprint
                _ = decoded.message.encode()
                decodedCount += 1
            } catch {
                errorCount += 1
            }
            _ = STUNMessage.isProbablySTUN(bytes)
            _ = TURNChannelData.isProbablyChannelData(bytes)
            _ = try? TURNChannelData.decode(bytes)
        }
        // The loop must have reached both outcomes, or it tested little.
        XCTAssertGreaterThan(decodedCount, 1_000)
        XCTAssertGreaterThan(errorCount, 1_000)
    }
}
