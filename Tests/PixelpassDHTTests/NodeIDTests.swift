import XCTest
@testable import PixelpassDHT

final class NodeIDTests: XCTestCase {
    func testBytesRoundTripAndLength() {
        let bytes = Array(UInt8(1)...UInt8(20))
        XCTAssertEqual(NodeID(bytes: bytes)?.bytes, bytes)
        XCTAssertNil(NodeID(bytes: bytes.dropLast()))
        XCTAssertEqual(NodeID(bytes: bytes)?.description, "0102030405060708090a0b0c0d0e0f1011121314")
    }

    func testXORDistanceOrdersByHighestDifferingBit() {
        let target = NodeID(bytes: [UInt8](repeating: 0, count: 20))!
        let nearLow = NodeID(bytes: [UInt8](repeating: 0, count: 19) + [0xFF])!
        let farHigh = NodeID(bytes: [0x01] + [UInt8](repeating: 0, count: 19))!
        let middle = NodeID(bytes: [UInt8](repeating: 0, count: 10) + [0x80] + [UInt8](repeating: 0, count: 9))!
        XCTAssertTrue(nearLow.isCloser(to: target, than: middle))
        XCTAssertTrue(middle.isCloser(to: target, than: farHigh))
        XCTAssertFalse(farHigh.isCloser(to: target, than: farHigh))
        XCTAssertEqual(farHigh.distance(to: farHigh), target)
        XCTAssertEqual(nearLow.distance(to: farHigh), farHigh.distance(to: nearLow))
    }

    func testRandomIDsComeFromTheInjectedGenerator() {
        var first = SeededGenerator(seed: 5)
        var second = SeededGenerator(seed: 5)
        XCTAssertEqual(NodeID.random(using: &first), NodeID.random(using: &second))
        XCTAssertNotEqual(NodeID.random(using: &first), NodeID.random(using: &first))
    }
}
