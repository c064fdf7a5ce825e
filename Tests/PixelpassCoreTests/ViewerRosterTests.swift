import XCTest
@testable import PixelpassCore

final class ViewerRosterTests: XCTestCase {
    func testSeatsUpToCapacityThenRefuses() {
        var roster = ViewerRoster<Int>(capacity: 2)
        XCTAssertEqual(roster.admit(1, id: "a", address: "1.1.1.1:1", now: 0),
                       .seated(.viewerJoined(id: "a", name: nil, address: "1.1.1.1:1", path: .direct)))
        XCTAssertEqual(roster.admit(1, id: "a", address: "1.1.1.1:1", now: 5), .alreadySeated)
        _ = roster.admit(2, id: "b", address: "2.2.2.2:2", now: 1)
        XCTAssertEqual(roster.admit(3, id: "c", address: "3.3.3.3:3", now: 2), .full(occupied: 2))
        XCTAssertEqual(roster.order, [1, 2])
    }

    func testLeavingFreesTheSeatAndReportsTheReason() {
        var roster = ViewerRoster<Int>(capacity: 1)
        _ = roster.admit(1, id: "a", address: "x", now: 0)
        XCTAssertEqual(roster.leave(1, reason: .timedOut), .viewerLeft(id: "a", reason: .timedOut))
        XCTAssertNil(roster.leave(1, reason: .left), "a connection without a seat leaves silently")
        XCTAssertEqual(roster.admit(2, id: "b", address: "y", now: 1), .seated(.viewerJoined(id: "b", name: nil, address: "y", path: .direct)))
    }

    func testAKickedViewerLeavesAsKickedWhateverTheCloseSaid() {
        var roster = ViewerRoster<Int>(capacity: 2)
        _ = roster.admit(1, id: "a", address: "x", now: 0)
        _ = roster.admit(2, id: "b", address: "y", now: 0)
        XCTAssertEqual(roster.kick(id: "b"), 2)
        XCTAssertNil(roster.kick(id: "zz"))
        XCTAssertEqual(roster.leave(2, reason: .hostEnded), .viewerLeft(id: "b", reason: .kicked))
        XCTAssertEqual(roster.leave(1, reason: .hostEnded), .viewerLeft(id: "a", reason: .hostEnded))
    }

    func testBytesOfFinishedStreamsAreKeptAfterTheViewerLeaves() {
        var roster = ViewerRoster<Int>(capacity: 1)
        _ = roster.admit(1, id: "a", address: "x", now: 0)
        roster.streamFinished(1, bytes: 100, now: 0)
        roster.streamFinished(1, bytes: 50, now: 0)
        XCTAssertEqual(roster.seats[1]?.finishedStreamBytes, 150)
        _ = roster.leave(1, reason: .left)
        roster.streamFinished(1, bytes: 7, now: 0)  // a stream that ends after its connection
        XCTAssertEqual(roster.departedBytes, 157)
    }

    func testAddressChangeIsAPathChangeOnce() {
        var roster = ViewerRoster<Int>(capacity: 1)
        _ = roster.admit(1, id: "a", address: "10.0.0.1:5", now: 0)
        XCTAssertNil(roster.observe(1, address: "10.0.0.1:5"))
        XCTAssertEqual(roster.observe(1, address: "192.0.2.7:9"), .pathChanged(id: "a", address: "192.0.2.7:9", path: .direct))
        XCTAssertNil(roster.observe(1, address: "192.0.2.7:9"))
        XCTAssertNil(roster.observe(1, address: "?"), "a closing connection has no address")
    }
}

final class BitrateMeterTests: XCTestCase {
    func testRateBetweenSamples() {
        var meter = BitrateMeter<String>()
        XCTAssertNil(meter.sample("a", bytes: 0, at: 10))
        XCTAssertEqual(meter.sample("a", bytes: 500_000, at: 11), 4_000_000)
        XCTAssertEqual(meter.sample("a", bytes: 500_000, at: 13), 0)
    }

    func testForgottenKeysStartAgain() {
        var meter = BitrateMeter<String>()
        _ = meter.sample("a", bytes: 10, at: 1)
        meter.retain(only: [])
        XCTAssertNil(meter.sample("a", bytes: 20, at: 2))
    }

    func testACounterThatGoesBackIsNotNegative() {
        var meter = BitrateMeter<String>()
        _ = meter.sample("a", bytes: 100, at: 1)
        XCTAssertEqual(meter.sample("a", bytes: 50, at: 2), 0)
    }
}
