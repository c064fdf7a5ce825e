import XCTest
@testable import PixelpassCore

final class BroadcastStateMachineTests: XCTestCase {
    typealias Machine = BroadcastStateMachine<String>
    let second: UInt64 = 1_000_000_000

    func makeMachine(maxViewers: Int = 4, backlog: Int = 1000) -> Machine {
        Machine(gracePeriod: 3 * second, maxViewers: maxViewers, maxBacklogBytes: backlog, stallTimeout: 20 * second)
    }

    func testFirstViewerStartsThePipelineAndLaterOnesAskForAKeyframe() {
        var machine = makeMachine()
        XCTAssertEqual(machine.join("a", now: 0), .accepted([.startPipeline]))
        XCTAssertEqual(machine.join("b", now: 0), .accepted([.requestKeyframe]))
        XCTAssertEqual(machine.pipeline, .running)
    }

    func testPipelineLingersForTheGracePeriodThenStops() {
        var machine = makeMachine()
        _ = machine.join("a", now: 0)
        XCTAssertEqual(machine.leave("a", now: 10 * second), [.armGraceTimer(deadline: 13 * second)])
        XCTAssertEqual(machine.graceTimerFired(now: 12 * second), [], "too early: nothing happens")
        XCTAssertEqual(machine.graceTimerFired(now: 13 * second), [.stopPipeline])
        XCTAssertEqual(machine.pipeline, .stopped)
        XCTAssertEqual(machine.join("b", now: 0), .accepted([.startPipeline]), "a later viewer starts it again")
    }

    func testRejoinDuringGraceKeepsThePipelineRunning() {
        var machine = makeMachine()
        _ = machine.join("a", now: 0)
        _ = machine.leave("a", now: 0)
        XCTAssertEqual(machine.join("a", now: 0), .accepted([.cancelGraceTimer, .requestKeyframe]))
        XCTAssertEqual(machine.graceTimerFired(now: 10 * second), [], "a stale timer does not stop a busy pipeline")
        XCTAssertEqual(machine.pipeline, .running)
    }

    func testFullHostRefusesTheNextViewer() {
        var machine = makeMachine(maxViewers: 2)
        _ = machine.join("a", now: 0)
        _ = machine.join("b", now: 0)
        XCTAssertEqual(machine.join("c", now: 0), .full(limit: 2))
        _ = machine.leave("a", now: 0)
        XCTAssertEqual(machine.join("c", now: 0), .accepted([.requestKeyframe]))
    }

    func testNewViewerStartsOnlyAtAKeyframe() {
        var machine = makeMachine()
        _ = machine.join("a", now: 0)
        XCTAssertTrue(machine.route(isKeyframe: false, now: 0) { _ in 0 }.isEmpty, "no mid-GOP start")
        let first = machine.route(isKeyframe: true, now: 0) { _ in 0 }
        XCTAssertEqual(first.map(\.1), [.start])
        XCTAssertEqual(machine.route(isKeyframe: false, now: 0) { _ in 0 }.map(\.1), [.chunk])
        XCTAssertEqual(machine.route(isKeyframe: true, now: 0) { _ in 0 }.map(\.1), [.chunk], "a watching viewer just gets the next keyframe")
    }

    func testLaggingViewerSkipsAheadWithoutAffectingOthers() {
        var machine = makeMachine(backlog: 100)
        _ = machine.join("slow", now: 0)
        _ = machine.join("fast", now: 0)
        _ = machine.route(isKeyframe: true, now: 0) { _ in 0 }
        let backlog = ["slow": 500, "fast": 0]
        let deliveries = Dictionary(grouping: machine.route(isKeyframe: false, now: 0) { backlog[$0]! }, by: \.0)
        XCTAssertEqual(deliveries["slow"]?.map(\.1), [.skipAhead])
        XCTAssertEqual(deliveries["fast"]?.map(\.1), [.chunk])
        // The slow one resumes at the next keyframe, with program tables.
        let next = Dictionary(grouping: machine.route(isKeyframe: true, now: 0) { _ in 0 }, by: \.0)
        XCTAssertEqual(next["slow"]?.map(\.1), [.start])
        XCTAssertEqual(machine.viewers["slow"]?.keyframeSkips, 1)
    }

    func testViewerThatStopsAcknowledgingIsDisconnectedOthersAreNot() {
        var machine = makeMachine()
        _ = machine.join("stuck", now: 0)
        _ = machine.join("fine", now: 0)
        _ = machine.route(isKeyframe: true, now: 0) { _ in 0 }
        machine.progressed("fine", now: 19 * second)
        XCTAssertEqual(Dictionary(grouping: machine.route(isKeyframe: false, now: 19 * second) { _ in 50 }, by: \.0)["stuck"]?.map(\.1),
                       [.chunk], "19 s without progress is still tolerated")
        let at20 = Dictionary(grouping: machine.route(isKeyframe: false, now: 20 * second) { _ in 50 }, by: \.0)
        XCTAssertEqual(at20["stuck"]?.map(\.1), [.disconnect])
        XCTAssertEqual(at20["fine"]?.map(\.1), [.chunk])
        XCTAssertNil(Dictionary(grouping: machine.route(isKeyframe: false, now: 21 * second) { _ in 50 }, by: \.0)["stuck"],
                     "a disconnecting viewer gets nothing more")
    }

    func testIdleButCaughtUpViewerIsNotDisconnected() {
        var machine = makeMachine()
        _ = machine.join("a", now: 0)
        _ = machine.route(isKeyframe: true, now: 0) { _ in 0 }
        XCTAssertEqual(machine.route(isKeyframe: false, now: 60 * second) { _ in 0 }.map(\.1), [.chunk],
                       "nothing owed means nothing to acknowledge")
    }

    func testLeavingUnknownViewerIsHarmless() {
        var machine = makeMachine()
        XCTAssertEqual(machine.leave("ghost", now: 0), [])
        XCTAssertEqual(machine.pipeline, .stopped)
    }
}
