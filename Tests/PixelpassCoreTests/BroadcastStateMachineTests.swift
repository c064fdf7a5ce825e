import XCTest
@testable import PixelpassCore

final class BroadcastStateMachineTests: XCTestCase {
    typealias Machine = BroadcastStateMachine<String>
    let second: UInt64 = 1_000_000_000

    func makeMachine(maxViewers: Int = 4, backlog: Int = 1000) -> Machine {
        Machine(gracePeriod: 3 * second, maxViewers: maxViewers, maxBacklogBytes: backlog)
    }

    func testFirstViewerStartsThePipelineAndLaterOnesAskForAKeyframe() {
        var machine = makeMachine()
        XCTAssertEqual(machine.join("a"), .accepted([.startPipeline]))
        XCTAssertEqual(machine.join("b"), .accepted([.requestKeyframe]))
        XCTAssertEqual(machine.pipeline, .running)
    }

    func testPipelineLingersForTheGracePeriodThenStops() {
        var machine = makeMachine()
        _ = machine.join("a")
        XCTAssertEqual(machine.leave("a", now: 10 * second), [.armGraceTimer(deadline: 13 * second)])
        XCTAssertEqual(machine.graceTimerFired(now: 12 * second), [], "too early: nothing happens")
        XCTAssertEqual(machine.graceTimerFired(now: 13 * second), [.stopPipeline])
        XCTAssertEqual(machine.pipeline, .stopped)
        XCTAssertEqual(machine.join("b"), .accepted([.startPipeline]), "a later viewer starts it again")
    }

    func testRejoinDuringGraceKeepsThePipelineRunning() {
        var machine = makeMachine()
        _ = machine.join("a")
        _ = machine.leave("a", now: 0)
        XCTAssertEqual(machine.join("a"), .accepted([.cancelGraceTimer, .requestKeyframe]))
        XCTAssertEqual(machine.graceTimerFired(now: 10 * second), [], "a stale timer does not stop a busy pipeline")
        XCTAssertEqual(machine.pipeline, .running)
    }

    func testFullHostRefusesTheNextViewer() {
        var machine = makeMachine(maxViewers: 2)
        _ = machine.join("a")
        _ = machine.join("b")
        XCTAssertEqual(machine.join("c"), .full(limit: 2))
        _ = machine.leave("a", now: 0)
        XCTAssertEqual(machine.join("c"), .accepted([.requestKeyframe]))
    }

    func testNewViewerStartsOnlyAtAKeyframe() {
        var machine = makeMachine()
        _ = machine.join("a")
        XCTAssertTrue(machine.route(isKeyframe: false) { _ in 0 }.isEmpty, "no mid-GOP start")
        let first = machine.route(isKeyframe: true) { _ in 0 }
        XCTAssertEqual(first.map(\.1), [.start])
        XCTAssertEqual(machine.route(isKeyframe: false) { _ in 0 }.map(\.1), [.chunk])
        XCTAssertEqual(machine.route(isKeyframe: true) { _ in 0 }.map(\.1), [.chunk], "a watching viewer just gets the next keyframe")
    }

    func testLaggingViewerSkipsAheadWithoutAffectingOthers() {
        var machine = makeMachine(backlog: 100)
        _ = machine.join("slow")
        _ = machine.join("fast")
        _ = machine.route(isKeyframe: true) { _ in 0 }
        let backlog = ["slow": 500, "fast": 0]
        let deliveries = Dictionary(grouping: machine.route(isKeyframe: false) { backlog[$0]! }, by: \.0)
        XCTAssertEqual(deliveries["slow"]?.map(\.1), [.skipAhead])
        XCTAssertEqual(deliveries["fast"]?.map(\.1), [.chunk])
        // The slow one resumes at the next keyframe, with program tables.
        let next = Dictionary(grouping: machine.route(isKeyframe: true) { _ in 0 }, by: \.0)
        XCTAssertEqual(next["slow"]?.map(\.1), [.start])
        XCTAssertEqual(machine.viewers["slow"]?.keyframeSkips, 1)
    }

    func testLeavingUnknownViewerIsHarmless() {
        var machine = makeMachine()
        XCTAssertEqual(machine.leave("ghost", now: 0), [])
        XCTAssertEqual(machine.pipeline, .stopped)
    }
}
