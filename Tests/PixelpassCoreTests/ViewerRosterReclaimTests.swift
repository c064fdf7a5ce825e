import XCTest
@testable import PixelpassCore

/// Seats belong to watchers: idle or silent seats go to newcomers on a full share.
final class ViewerRosterReclaimTests: XCTestCase {
    private let second: UInt64 = 1_000_000_000

    func testAWatchingViewerKeepsItsSeatAndAnIdleOneGivesItUp() {
        var roster = ViewerRoster<Int>(capacity: 2, reclaimAfter: 3 * second)
        _ = roster.admit(1, id: "watcher", address: "a", now: 0)
        _ = roster.admit(2, id: "info-only", address: "b", now: 0)
        roster.streamStarted(1, now: 1 * second)
        // Too soon: the idle one may still be about to open its player.
        XCTAssertEqual(roster.admit(3, id: "new", address: "c", now: 2 * second), .full(occupied: 2))
        let admission = roster.admit(3, id: "new", address: "c", now: 4 * second)
        XCTAssertEqual(admission, .seatedInPlaceOf(freed: 2, left: .viewerLeft(id: "info-only", reason: .madeRoom),
                                                   joined: .viewerJoined(id: "new", name: nil, address: "c", path: .direct)))
        XCTAssertEqual(Set(roster.seats.keys), [1, 3])
        // Full of a watcher and a newcomer inside its grace: no one is freed.
        XCTAssertEqual(roster.admit(4, id: "late", address: "d", now: 5 * second), .full(occupied: 2))
    }

    func testASilentWatcherIsFreedAtOnce() {
        var roster = ViewerRoster<Int>(capacity: 1, reclaimAfter: 3 * second)
        _ = roster.admit(1, id: "crashed", address: "a", now: 0)
        roster.streamStarted(1, now: 0)
        XCTAssertEqual(roster.admit(2, id: "new", address: "b", now: 10 * second), .full(occupied: 1))
        guard case .seatedInPlaceOf(freed: 1, _, _) = roster.admit(2, id: "new", address: "b", now: 10 * second,
                                                                  silent: [1]) else {
            return XCTFail("the silent seat was not freed")
        }
    }

    func testTheGraceRestartsWhenAStreamEnds() {
        var roster = ViewerRoster<Int>(capacity: 1, reclaimAfter: 3 * second)
        _ = roster.admit(1, id: "reopening", address: "a", now: 0)
        roster.streamStarted(1, now: 0)
        roster.streamFinished(1, bytes: 10, now: 10 * second)
        XCTAssertEqual(roster.openStreams(1), 0)
        XCTAssertEqual(roster.admit(2, id: "new", address: "b", now: 12 * second), .full(occupied: 1))
        XCTAssertNotEqual(roster.admit(2, id: "new", address: "b", now: 13 * second), .full(occupied: 1))
    }
}
