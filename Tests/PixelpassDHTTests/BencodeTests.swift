import XCTest
@testable import PixelpassDHT

final class BencodeTests: XCTestCase {
    func testEncodesEachKindWithSortedKeys() {
        var entries: [[UInt8]: BencodeValue] = [:]
        entries["zeta"] = .integer(-3)
        entries["a"] = .list([.bytes(ascii("spam")), .integer(0)])
        entries["ab"] = .dictionary([:])
        XCTAssertEqual(String(decoding: BencodeValue.dictionary(entries).encoded, as: UTF8.self),
                       "d1:al4:spami0ee2:abde4:zetai-3ee")
    }

    func testRoundTripsNestedValues() throws {
        var inner: [[UInt8]: BencodeValue] = [:]
        inner["\u{0}bin"] = .bytes([0, 255, 58, 101])
        inner["n"] = .integer(Int64.min)
        let value = BencodeValue.list([.integer(Int64.max), .dictionary(inner), .bytes([]), .list([])])
        XCTAssertEqual(try Bencode.decode(value.encoded), value)
    }

    func testRejectsNonCanonicalNumbers() {
        for text in ["i-0e", "i03e", "ie", "i-e", "i1", "03:abc", "i9223372036854775808e", "i1.5e"] {
            XCTAssertThrowsError(try Bencode.decode(ascii(text)), text)
        }
        XCTAssertEqual(try Bencode.decode(ascii("i-9223372036854775808e")), .integer(.min))
    }

    func testRejectsTruncationTrailingBytesAndDuplicates() {
        XCTAssertEqual(decodeError("d1:a"), .truncated)
        XCTAssertEqual(decodeError("5:abc"), .truncated)
        XCTAssertEqual(decodeError("l"), .truncated)
        XCTAssertEqual(decodeError("i1ei2e"), .trailingBytes(at: 3))
        XCTAssertEqual(decodeError("d1:ai1e1:ai2ee"), .duplicateKey(at: 7))
        XCTAssertEqual(decodeError("di1ei2ee"), .unexpectedByte(at: 1))
        XCTAssertEqual(decodeError("x"), .unexpectedByte(at: 0))
        XCTAssertEqual(decodeError(""), .truncated)
    }

    func testDecodeDictionaryWantsExactlyOneDictionary() {
        XCTAssertThrowsError(try Bencode.decodeDictionary(ascii("li1ee"))) {
            XCTAssertEqual($0 as? BencodeError, .notADictionary)
        }
        XCTAssertThrowsError(try Bencode.decodeDictionary(ascii("de1:x")))
        XCTAssertEqual(try Bencode.decodeDictionary(ascii("d1:xi1ee"))["x"], .integer(1))
    }

    func testDepthAndSizeLimits() {
        let deep = ascii(String(repeating: "l", count: 100) + String(repeating: "e", count: 100))
        XCTAssertThrowsError(try Bencode.decode(deep)) { XCTAssertEqual($0 as? BencodeError, .tooDeep) }
        XCTAssertNoThrow(try Bencode.decode(deep, limits: .init(maxDepth: 200)))
        XCTAssertThrowsError(try Bencode.decode(ascii("4:abcd"), limits: .init(maxBytes: 5))) {
            XCTAssertEqual($0 as? BencodeError, .tooLarge)
        }
        // A huge declared length must fail cleanly, not allocate.
        XCTAssertEqual(decodeError("99999999999999999:x"), .truncated)
        XCTAssertEqual(decodeError("999999999999999999999999:x"), .badNumber(at: 0))
    }

    func testPlausibleKRPCCheck() {
        XCTAssertTrue(Bencode.isPlausibleKRPC(ascii("d1:ad2:id20:xxxxxxxxxxxxxxxxxxxxe1:q4:ping1:t2:aa1:y1:qe")))
        XCTAssertTrue(Bencode.isPlausibleKRPC(ascii("d2:ip6:abcdef1:rd2:id1:xe1:t1:a1:y1:re")))
        XCTAssertFalse(Bencode.isPlausibleKRPC(ascii("d3:abci1ee")))
        XCTAssertFalse(Bencode.isPlausibleKRPC(ascii("d1:ai1e")))
        XCTAssertFalse(Bencode.isPlausibleKRPC([0x64, 0x31, 0x3A, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]))
        XCTAssertFalse(Bencode.isPlausibleKRPC([]))
    }

    func testRandomAndTruncatedInputNeverTraps() {
        var random = SeededGenerator(seed: 7)
        let alphabet = ascii("dlie0123456789:-xa")
        for _ in 0..<3000 {
            let length = Int.random(in: 0..<40, using: &random)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &random)! }
            _ = try? Bencode.decode(bytes)
        }
        let valid = BencodeValue.list([.integer(42), .bytes(ascii("hello")), .dictionary([ascii("k"): .list([])])]).encoded
        for cut in 0..<valid.count {
            XCTAssertThrowsError(try Bencode.decode(Array(valid.prefix(cut))), "prefix \(cut)")
        }
    }

    private func decodeError(_ text: String) -> BencodeError? {
        do {
            _ = try Bencode.decode(ascii(text))
            return nil
        } catch {
            return error
        }
    }
}
