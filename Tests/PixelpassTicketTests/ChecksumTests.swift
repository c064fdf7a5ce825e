import XCTest
@testable import PixelpassTicket

final class ChecksumTests: XCTestCase {
    func testCRC32MatchesKnownVectors() {
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(CRC32.checksum([UInt8]()), 0)
        XCTAssertEqual(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)), 0x414F_A339)
    }

    func testCRC8MatchesKnownVectors() {
        // CRC-8/SMBUS check value from the CRC catalogue.
        XCTAssertEqual(CRC8.checksum(Array("123456789".utf8)), 0xF4)
        XCTAssertEqual(CRC8.checksum([UInt8]()), 0)
    }

    func testCRC8CatchesEveryFiveBitBurstInTheHeader() {
        // A mistyped base32 character flips up to 5 adjacent bits; the
        // 3-byte header must never survive that with its CRC-8 intact.
        for length in [7, 67, 79, 300, 0xFFFF] {
            let header = [UInt8(length >> 8), UInt8(length & 0xFF), CRC8.checksum([UInt8(length >> 8), UInt8(length & 0xFF)])]
            let word = UInt32(header[0]) << 16 | UInt32(header[1]) << 8 | UInt32(header[2])
            for start in 0..<24 {
                for pattern in UInt32(1)..<32 {
                    let flipped = word ^ ((pattern << 19) >> UInt32(start)) & 0xFF_FFFF
                    guard flipped != word else { continue }
                    let bytes = [UInt8(flipped >> 16), UInt8((flipped >> 8) & 0xFF), UInt8(flipped & 0xFF)]
                    XCTAssertNotEqual(CRC8.checksum(bytes[0..<2]), bytes[2], "length \(length), burst at bit \(start)")
                }
            }
        }
    }
}
