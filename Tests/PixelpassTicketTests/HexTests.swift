import XCTest
import PixelpassTicket

final class HexTests: XCTestCase {
    func testWritesLowercasePairs() {
        XCTAssertEqual(hexString([0x00, 0x0A, 0xAB, 0xFF]), "000aabff")
        XCTAssertEqual(hexString([UInt8]()), "")
    }

    func testReadsEitherCase() {
        XCTAssertEqual(bytes(fromHex: "000aABff"), [0x00, 0x0A, 0xAB, 0xFF])
        XCTAssertEqual(bytes(fromHex: ""), [])
    }

    func testRejectsOddLengthsAndNonHex() {
        XCTAssertNil(bytes(fromHex: "abc"))
        XCTAssertNil(bytes(fromHex: "zz"))
        XCTAssertNil(bytes(fromHex: "ab:cd"))
        XCTAssertNil(bytes(fromHex: "0x12"))
    }

    func testRoundTrips() {
        let all = (0...255).map { UInt8($0) }
        XCTAssertEqual(bytes(fromHex: hexString(all)), all)
    }
}
