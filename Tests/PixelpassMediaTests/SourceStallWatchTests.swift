import XCTest
@testable import PixelpassMedia

final class SourceStallWatchTests: XCTestCase {
    private let second: UInt64 = 1_000_000_000

    func testWaitsForTheFirstFrameThenForGaps() {
        let limits = SourceStallWatch.Limits(firstFrame: 10 * second, gap: 3 * second)
        let watch = SourceStallWatch(limits: limits, started: 100 * second)
        XCTAssertNil(watch.check(lastFrame: nil, now: 109 * second))
        XCTAssertEqual(watch.check(lastFrame: nil, now: 111 * second), .noFirstFrame(seconds: 11))
        XCTAssertNil(watch.check(lastFrame: 101 * second, now: 103 * second))
        XCTAssertNil(watch.check(lastFrame: 101 * second, now: 104 * second))
        XCTAssertEqual(watch.check(lastFrame: 101 * second, now: 105 * second), .stopped(seconds: 4))
        // A frame stamped after `now` was read (threads race) is no gap.
        XCTAssertNil(watch.check(lastFrame: 106 * second, now: 105 * second))
    }

    func testGapAllowsForSlowFrameRates() {
        XCTAssertEqual(SourceStallWatch.Limits.forFrameRate(30).gap, 3 * second)
        XCTAssertEqual(SourceStallWatch.Limits.forFrameRate(1).gap, 5 * second)
    }
}
