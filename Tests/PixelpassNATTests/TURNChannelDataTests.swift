import XCTest
import PixelpassNAT

final class TURNChannelDataTests: XCTestCase {
    func testEncodesWithoutPaddingByDefault() {
        let frame = TURNChannelData(channel: 0x4001, payload: Array("hello".utf8))
        XCTAssertEqual(frame.encode(), [0x40, 0x01, 0x00, 0x05] + Array("hello".utf8))
        XCTAssertEqual(frame.encode(padded: true), [0x40, 0x01, 0x00, 0x05] + Array("hello".utf8) + [0, 0, 0])
    }

    func testDecodesPaddedAndUnpadded() throws {
        let frame = TURNChannelData(channel: 0x4FFF, payload: [1, 2, 3, 4, 5])
        XCTAssertEqual(try TURNChannelData.decode(frame.encode()), frame)
        XCTAssertEqual(try TURNChannelData.decode(frame.encode(padded: true)), frame)
        let empty = TURNChannelData(channel: 0x4000, payload: [])
        XCTAssertEqual(try TURNChannelData.decode(empty.encode()), empty)
        XCTAssertTrue(TURNChannelData.isProbablyChannelData(frame.encode()))
    }

    func testRejectsBadFrames() {
        XCTAssertThrowsError(try TURNChannelData.decode([0x40, 0x00, 0x00])) {
            XCTAssertEqual($0 as? TURNChannelData.DecodingError, .truncated(needed: 4, available: 3))
        }
        XCTAssertThrowsError(try TURNChannelData.decode([0x40, 0x00, 0x00, 0x05, 1, 2, 3, 4])) {
            XCTAssertEqual($0 as? TURNChannelData.DecodingError, .truncated(needed: 9, available: 8))
        }
        XCTAssertThrowsError(try TURNChannelData.decode([0x50, 0x00, 0x00, 0x00])) {
            XCTAssertEqual($0 as? TURNChannelData.DecodingError, .notChannelData)
        }
        XCTAssertThrowsError(try TURNChannelData.decode([0x3F, 0xFF, 0x00, 0x00])) {
            XCTAssertEqual($0 as? TURNChannelData.DecodingError, .notChannelData)
        }
        XCTAssertFalse(TURNChannelData.isProbablyChannelData(RFC5769VectorTests.request))
    }
}
