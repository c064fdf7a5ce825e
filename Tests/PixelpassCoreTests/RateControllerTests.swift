import PixelpassMedia
import XCTest
@testable import PixelpassCore

/// The rate controller as a pure machine: samples in, actions out. Each
/// simulated viewer's link carries at most `capacity` bit/s; what the
/// encoder sends beyond that piles up in the viewer's queue, as it does
/// in front of a congested uplink.
final class RateControllerTests: XCTestCase {
    private let tick = RateController<String>.interval
    private let nominal = VideoPicture(width: 1280, height: 720, fps: 30)

    private struct SimulatedLink {
        var capacity: Double
        var acknowledged = 0.0
        var queued = 0.0

        /// One interval of `streamRate` bit/s offered to a link of `capacity`.
        mutating func carry(streamRate: Double, seconds: Double) -> LinkSample {
            queued += streamRate * seconds / 8
            let sent = min(queued, capacity * seconds / 8)
            queued -= sent
            acknowledged += sent
            return LinkSample(acknowledgedBytes: Int(acknowledged), unsentBytes: Int(queued))
        }
    }

    private func controller(mode: BitrateMode = .adaptive, ceiling: Int = 6000, floor: Int = 800) -> RateController<String> {
        RateController(.init(mode: mode, ceilingKbps: ceiling, floorKbps: floor, audioKbps: 0, nominal: nominal))
    }

    /// Runs the links for `seconds`; returns the time at which the rate last changed.
    @discardableResult
    /// `encoderShare`: what the encoder makes of its target (a simple
    /// picture makes less); the controller is told that rate as `produced`.
    private func run(_ rate: inout RateController<String>, _ links: inout [String: SimulatedLink], seconds: Double,
                     now: inout UInt64, actions: inout [RateController<String>.Action], encoderShare: Double = 1) -> UInt64 {
        var lastChange = now
        let steps = Int(seconds * 1e9 / Double(tick))
        for _ in 0 ..< steps {
            now += tick
            let streamRate = rate.streamRate(videoKbps: rate.targetKbps) * encoderShare
            var samples: [String: LinkSample] = [:]
            for id in links.keys {
                samples[id] = links[id]!.carry(streamRate: streamRate, seconds: Double(tick) / 1e9)
            }
            let out = rate.sample(samples, produced: encoderShare < 1 ? streamRate : 0, now: now)
            if out.contains(where: { if case .setBitrate = $0 { return true } else { return false } }) { lastChange = now }
            actions += out
        }
        return lastChange
    }

    func testASlowUplinkCutsTheRateWithinASecondAndSettlesBelowIt() {
        var rate = controller(ceiling: 6000)
        var links = ["a": SimulatedLink(capacity: 3_000_000)]
        var now: UInt64 = 0, actions: [RateController<String>.Action] = []
        run(&rate, &links, seconds: 1, now: &now, actions: &actions)
        XCTAssertLessThan(rate.targetKbps, 3000, "no cut within a second of the queue building")
        run(&rate, &links, seconds: 30, now: &now, actions: &actions)
        let stream = rate.streamRate(videoKbps: rate.targetKbps)
        XCTAssertLessThan(stream, 3_000_000, "settled above the link rate")
        XCTAssertGreaterThan(stream, 2_000_000, "settled far below what the link takes")
        XCTAssertLessThan(links["a"]!.queued * 8 / 3_000_000, 1.0, "the queue stays short")
        XCTAssertEqual(rate.limit, .uplink)
    }

    func testProbingPastASteadyLinkStaysWithinAFewPercentOfIt() {
        var rate = controller(ceiling: 6000)
        var links = ["a": SimulatedLink(capacity: 3_000_000)]
        var now: UInt64 = 0, actions: [RateController<String>.Action] = []
        run(&rate, &links, seconds: 5, now: &now, actions: &actions)
        var highest = 0.0
        var cuts = 0
        for _ in 0 ..< 240 {
            let before = rate.targetKbps
            run(&rate, &links, seconds: 0.25, now: &now, actions: &actions)
            highest = max(highest, rate.streamRate(videoKbps: rate.targetKbps))
            if rate.targetKbps < before { cuts += 1 }
        }
        XCTAssertLessThanOrEqual(highest, 3_000_000 * 1.09, "a probe went far past a link that did not grow")
        XCTAssertGreaterThan(cuts, 0, "it never probed the link again in a minute")
    }

    func testTheRateClimbsBackSlowlyWhenTheLinkRecovers() {
        var rate = controller(ceiling: 8000)
        var links = ["a": SimulatedLink(capacity: 2_000_000)]
        var now: UInt64 = 0, actions: [RateController<String>.Action] = []
        run(&rate, &links, seconds: 10, now: &now, actions: &actions)
        let low = rate.targetKbps
        XCTAssertLessThan(low, 2000)
        links["a"]!.capacity = 10_000_000
        run(&rate, &links, seconds: 3, now: &now, actions: &actions)
        XCTAssertLessThan(rate.targetKbps, low * 2, "probing up is gradual")
        run(&rate, &links, seconds: 57, now: &now, actions: &actions)
        XCTAssertEqual(rate.targetKbps, 8000, "back at the ceiling within a minute of the link allowing it")
        XCTAssertEqual(rate.limit, .ceiling)
    }

    func testADropFollowedByRecoveryNeitherCollapsesToTheFloorNorStaysLow() {
        var rate = controller(ceiling: 8000, floor: 800)
        var links = ["a": SimulatedLink(capacity: 10_000_000)]
        var now: UInt64 = 0, actions: [RateController<String>.Action] = []
        run(&rate, &links, seconds: 10, now: &now, actions: &actions)
        XCTAssertEqual(rate.targetKbps, 8000)
        links["a"]!.capacity = 2_000_000
        run(&rate, &links, seconds: 2, now: &now, actions: &actions)
        XCTAssertLessThan(rate.streamRate(videoKbps: rate.targetKbps), 2_000_000, "cut within two seconds of the drop")
        run(&rate, &links, seconds: 13, now: &now, actions: &actions)
        XCTAssertFalse(actions.contains(.belowFloor("a", true)), "a 2 Mbit/s link is above an 800 kbit/s floor")
        XCTAssertGreaterThan(rate.targetKbps, 1200, "not collapsed to the floor")
        links["a"]!.capacity = 10_000_000
        run(&rate, &links, seconds: 20, now: &now, actions: &actions)
        XCTAssertLessThan(rate.targetKbps, 4000, "probing past where the link was full is gradual")
        run(&rate, &links, seconds: 20, now: &now, actions: &actions)
        XCTAssertGreaterThan(rate.targetKbps, 4000, "climbs back within 40 s of the link returning")
    }

    func testATargetTheEncoderDoesNotUseIsNotRaised() {
        var rate = controller(ceiling: 8000, floor: 800)
        var links = ["a": SimulatedLink(capacity: 2_000_000)]
        var now: UInt64 = 0, actions: [RateController<String>.Action] = []
        run(&rate, &links, seconds: 10, now: &now, actions: &actions)
        let low = rate.targetKbps
        links["a"]!.capacity = 20_000_000
        run(&rate, &links, seconds: 15, now: &now, actions: &actions, encoderShare: 0.5)
        XCTAssertEqual(rate.targetKbps, low, "a still picture makes half its target: raising it proves nothing")
        run(&rate, &links, seconds: 40, now: &now, actions: &actions)
        XCTAssertGreaterThan(rate.targetKbps, low * 2, "a busy picture uses it: the rate climbs")
    }

    func testAViewerBelowTheFloorDoesNotPullTheOthersDown() {
        var rate = controller(ceiling: 4000, floor: 800)
        var links = ["good": SimulatedLink(capacity: 20_000_000), "bad": SimulatedLink(capacity: 400_000)]
        var now: UInt64 = 0, actions: [RateController<String>.Action] = []
        run(&rate, &links, seconds: 20, now: &now, actions: &actions)
        XCTAssertTrue(actions.contains(.belowFloor("bad", true)))
        XCTAssertFalse(actions.contains(.belowFloor("good", true)))
        XCTAssertEqual(rate.targetKbps, 4000, "the good viewer keeps the full rate")
        XCTAssertTrue(rate.links["bad"]!.belowFloor)
    }

    func testASlowerViewerAboveTheFloorSetsTheRate() {
        var rate = controller(ceiling: 4000, floor: 800)
        var links = ["good": SimulatedLink(capacity: 20_000_000), "slower": SimulatedLink(capacity: 2_000_000)]
        var now: UInt64 = 0, actions: [RateController<String>.Action] = []
        run(&rate, &links, seconds: 10, now: &now, actions: &actions)
        var rates: [Double] = []
        for _ in 0 ..< 20 {
            run(&rate, &links, seconds: 0.5, now: &now, actions: &actions)
            rates.append(rate.streamRate(videoKbps: rate.targetKbps))
        }
        let mean = rates.reduce(0, +) / Double(rates.count)
        XCTAssertLessThan(mean, 2_000_000, "the slower link sets the rate")
        XCTAssertGreaterThan(mean, 1_400_000)
        XCTAssertFalse(rate.links["slower"]!.belowFloor)
    }

    func testEveryViewerBelowTheFloorIsServedAtTheFloor() {
        var rate = controller(ceiling: 4000, floor: 800)
        var links = ["a": SimulatedLink(capacity: 300_000)]
        var now: UInt64 = 0, actions: [RateController<String>.Action] = []
        run(&rate, &links, seconds: 5, now: &now, actions: &actions)
        XCTAssertEqual(rate.targetKbps, 800)
    }

    func testFixedModeNeverChangesTheRate() {
        var rate = controller(mode: .fixed, ceiling: 4000)
        var links = ["a": SimulatedLink(capacity: 1_000_000)]
        var now: UInt64 = 0, actions: [RateController<String>.Action] = []
        run(&rate, &links, seconds: 10, now: &now, actions: &actions)
        XCTAssertEqual(rate.targetKbps, 4000)
        XCTAssertFalse(actions.contains { if case .setBitrate = $0 { return true } else { return false } })
        XCTAssertNil(rate.limit)
        XCTAssertEqual(rate.links["a"]?.capacity ?? 0, 1_000_000, accuracy: 100_000, "it still measures, for the status")
    }

    func testALowRateHalvesTheFrameRateThenShrinksThePicture() {
        let ladder = PictureLadder(nominal: nominal)
        XCTAssertEqual(ladder.steps.map(\.description),
                       ["1280x720 at 30 fps", "1280x720 at 15 fps", "852x480 at 15 fps", "640x360 at 15 fps"])
        XCTAssertEqual(ladder.step(for: 4000, from: 0), 0)
        XCTAssertEqual(ladder.step(for: 1000, from: 0), 1, "0.036 bit per pixel at 30 fps: half the frames")
        XCTAssertEqual(ladder.step(for: 400, from: 0), 2)
        XCTAssertEqual(ladder.step(for: 200, from: 0), 3)
        XCTAssertEqual(ladder.step(for: 1500, from: 1), 1, "not back up until well clear of the threshold")
        XCTAssertEqual(ladder.step(for: 2000, from: 1), 0)
    }

    func testTheControllerMovesThePictureWithTheRate() {
        var rate = controller(ceiling: 4000, floor: 300)
        var links = ["a": SimulatedLink(capacity: 500_000)]
        var now: UInt64 = 0, actions: [RateController<String>.Action] = []
        run(&rate, &links, seconds: 10, now: &now, actions: &actions)
        XCTAssertEqual(actions.compactMap { if case .setPicture(let p) = $0 { return p } else { return nil } }.last,
                       VideoPicture(width: 852, height: 480, fps: 15), "one cut can take several steps at once")
        XCTAssertEqual(rate.picture, VideoPicture(width: 852, height: 480, fps: 15))
    }
}
