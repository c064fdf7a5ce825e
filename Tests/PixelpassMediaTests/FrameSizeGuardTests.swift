import XCTest
@testable import PixelpassMedia

/// The resize guard: frames of a new size are held back until new caps.
final class FrameSizeGuardTests: XCTestCase {
    func testFramesOfTheNegotiatedSizePass() {
        var guardState = FrameSizeGuard()
        XCTAssertEqual(guardState.frame(size: 3_686_400), .pass)
        XCTAssertEqual(guardState.frame(size: 3_686_400), .pass)
        XCTAssertEqual(guardState.frameSize, 3_686_400)
    }

    func testANewSizeIsDroppedAndRenegotiatedOnceUntilCapsFollow() {
        var guardState = FrameSizeGuard()
        _ = guardState.frame(size: 3_686_400)
        XCTAssertEqual(guardState.frame(size: 2_073_600), .dropAndRenegotiate)
        XCTAssertEqual(guardState.frame(size: 2_073_600), .drop)
        guardState.capsChanged()
        XCTAssertEqual(guardState.frame(size: 2_073_600), .pass)
        XCTAssertEqual(guardState.frame(size: 2_073_600), .pass)
    }

    func testItAsksAgainIfNoCapsCome() {
        var guardState = FrameSizeGuard()
        _ = guardState.frame(size: 100)
        let verdicts = (0..<(FrameSizeGuard.retryEvery + 1)).map { _ in guardState.frame(size: 200) }
        XCTAssertEqual(verdicts.filter { $0 == .dropAndRenegotiate }.count, 2)
    }

    func testEmptyBuffersAreDropped() {
        var guardState = FrameSizeGuard()
        XCTAssertEqual(guardState.frame(size: 0), .drop)
        XCTAssertNil(guardState.frameSize)
    }
}
