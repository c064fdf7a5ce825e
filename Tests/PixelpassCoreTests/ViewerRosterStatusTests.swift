import XCTest
@testable import PixelpassCore

/// The status a user sees, from seats and stream counters alone.
final class ViewerRosterStatusTests: XCTestCase {
    private func stats(_ id: String, sent: Int, lag: Int = 0, skips: Int = 0) -> ViewerStats {
        var stats = ViewerStats(viewerID: id, since: 0)
        stats.bytesSent = sent
        stats.lagBytes = lag
        stats.keyframeSkips = skips
        return stats
    }

    func testEachSeatSumsItsLiveStreamsInSeatOrder() {
        var roster = ViewerRoster<Int>(capacity: 4)
        _ = roster.admit(2, id: "b", address: "2.2.2.2:2", now: 1_000_000_000)
        _ = roster.admit(1, id: "a", address: "1.1.1.1:1", path: .relayed, now: 0)
        let status = roster.status(streams: [stats("a", sent: 100, lag: 10, skips: 1), stats("a", sent: 50, lag: 5),
                                             stats("b", sent: 7), stats("gone", sent: 999)],
                                   capturing: true, now: 3_000_000_000) { $0 == 1 ? 12.5 : 40 }
        XCTAssertEqual(status.viewers.map(\.id), ["b", "a"])
        let a = status.viewers[1]
        XCTAssertEqual(a.bytesSent, 150)
        XCTAssertEqual(a.lagBytes, 15)
        XCTAssertEqual(a.keyframeSkips, 1)
        XCTAssertEqual(a.streams, 2)
        XCTAssertEqual(a.path, .relayed)
        XCTAssertEqual(a.roundTripMilliseconds, 12.5)
        XCTAssertEqual(a.connectedSeconds, 3, accuracy: 1e-9)
        XCTAssertEqual(status.viewers[0].connectedSeconds, 2, accuracy: 1e-9)
        XCTAssertEqual(status.bytesSent, 157, "streams of no seated viewer do not count")
        XCTAssertTrue(status.capturing)
    }

    func testBytesNeverGoDownWhenStreamsEndOrViewersLeave() {
        var roster = ViewerRoster<Int>(capacity: 4)
        _ = roster.admit(1, id: "a", address: "x", now: 0)
        let before = roster.status(streams: [stats("a", sent: 300)], capturing: true, now: 0) { _ in 0 }
        roster.streamFinished(1, bytes: 300, now: 0)
        let between = roster.status(streams: [], capturing: false, now: 0) { _ in 0 }
        XCTAssertEqual(between.viewers.first?.bytesSent, 300)
        XCTAssertEqual(between.viewers.first?.streams, 0, "connected, not watching")
        _ = roster.leave(1, reason: .left)
        let after = roster.status(streams: [], capturing: false, now: 0) { _ in 0 }
        XCTAssertEqual(before.bytesSent, 300)
        XCTAssertEqual(after.bytesSent, 300)
        XCTAssertTrue(after.viewers.isEmpty)
    }
}
