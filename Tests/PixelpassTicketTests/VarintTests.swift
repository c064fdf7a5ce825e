import XCTest
@testable import PixelpassTicket

final class VarintTests: XCTestCase {
    /// RFC 9000 appendix A.1.
    func testReadsRFC9000Examples() {
        let examples: [([UInt8], UInt64)] = [
            ([0xC2, 0x19, 0x7C, 0x5E, 0xFF, 0x14, 0xE8, 0x8C], 151_288_809_941_952_652),
            ([0x9D, 0x7F, 0x3E, 0x7D], 494_878_333),
            ([0x7B, 0xBD], 15293),
            ([0x25], 37),
            ([0x40, 0x25], 37),
        ]
        for (bytes, value) in examples {
            var reader = ByteReader(bytes[...])
            XCTAssertEqual(reader.readVarint(), value, "reading \(bytes)")
            XCTAssertTrue(reader.isAtEnd)
        }
    }

    func testWritesTheShortestForm() {
        let cases: [(UInt64, [UInt8])] = [
            (0, [0x00]), (37, [0x25]), (63, [0x3F]), (64, [0x40, 0x40]),
            (15293, [0x7B, 0xBD]), (16383, [0x7F, 0xFF]), (16384, [0x80, 0x00, 0x40, 0x00]),
            (494_878_333, [0x9D, 0x7F, 0x3E, 0x7D]),
            (151_288_809_941_952_652, [0xC2, 0x19, 0x7C, 0x5E, 0xFF, 0x14, 0xE8, 0x8C]),
        ]
        for (value, expected) in cases {
            var bytes: [UInt8] = []
            Varint.append(value, to: &bytes)
            XCTAssertEqual(bytes, expected, "writing \(value)")
        }
    }

    func testACutVarintReadsAsNil() {
        var reader = ByteReader([0x9D, 0x7F][...])
        XCTAssertNil(reader.readVarint())
        var empty = ByteReader([UInt8]()[...])
        XCTAssertNil(empty.readVarint())
    }

    func testByteReaderNeverReadsPastTheEnd() {
        var reader = ByteReader([1, 2, 3][...])
        XCTAssertNil(reader.readBytes(4))
        XCTAssertNil(reader.readBytes(-1))
        XCTAssertEqual(reader.readBytes(2).map(Array.init), [1, 2])
        XCTAssertEqual(reader.readByte(), 3)
        XCTAssertNil(reader.readByte())
        XCTAssertEqual(reader.remaining, 0)
    }
}
