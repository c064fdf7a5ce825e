import NIOCore
import XCTest
@testable import PixelpassCore

/// The relay's pure rules: the URL token, what fits at once, and when a
/// connection that makes no progress is closed.
final class RelayPolicyTests: XCTestCase {
    // MARK: Token

    func testATokenIs128RandomBitsInHexAndTwoDiffer() {
        let one = RelayToken.random(), two = RelayToken.random()
        XCTAssertEqual(one.text.count, 32)
        XCTAssertTrue(one.text.allSatisfy { "0123456789abcdef".contains($0) }, one.text)
        XCTAssertNotEqual(one, two)
    }

    func testTheURLCarriesTheToken() {
        XCTAssertEqual(RelayToken(text: "abc").url(port: 8080), "http://127.0.0.1:8080/abc/")
    }

    func testOnlyTheStreamPathsUnderTheTokenAreAdmitted() {
        let token = RelayToken(text: "0123abcd")
        for target in ["/0123abcd", "/0123abcd/", "/0123abcd/stream", "/0123abcd/stream.ts", "/0123abcd/?x=1",
                       "/0123abcd/stream.ts?a=b?c"] {
            XCTAssertTrue(token.admits(target), target)
        }
        for target in ["", "/", "/stream.ts", "/0123abc/", "/0123abcde/", "/0123ABCD/", "//0123abcd/",
                       "/0123abcd/other", "/0123abcd//", "/0123abcd/stream.ts/", "/x/0123abcd/", "*",
                       "http://127.0.0.1/0123abcd/", "/0123abcd%2F"] {
            XCTAssertFalse(token.admits(target), target)
        }
    }

    // MARK: Admission

    func testConnectionsBeyondTheCapAreRefusedUntilOneCloses() {
        var limits = RelayLimits()
        limits.maxConnections = 2
        var admission = RelayAdmission(limits: limits)
        XCTAssertTrue(admission.admitConnection())
        XCTAssertTrue(admission.admitConnection())
        XCTAssertFalse(admission.admitConnection())
        XCTAssertEqual(admission.connections.taken, 2, "a refused connection is not counted")
        admission.connectionClosed()
        XCTAssertTrue(admission.admitConnection())
    }

    func testStreamsBeyondTheCapAreRefusedUntilOneEnds() {
        var admission = RelayAdmission(limits: RelayLimits())
        for _ in 0..<4 { XCTAssertTrue(admission.admitStream()) }
        for _ in 0..<100 { XCTAssertFalse(admission.admitStream(), "a burst never gets past the cap") }
        XCTAssertEqual(admission.streams.taken, 4)
        admission.streamEnded()
        XCTAssertTrue(admission.admitStream())
        XCTAssertFalse(admission.admitStream())
    }

    func testTheDefaultsAreTheDocumentedOnes() {
        let limits = RelayLimits()
        XCTAssertEqual(limits.headerTimeout, .seconds(5))
        XCTAssertEqual(limits.idleTimeout, .seconds(10))
        XCTAssertEqual(limits.maxConnections, 32)
        XCTAssertEqual(limits.maxStreams, 4)
    }

    // MARK: Clock

    private let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    func testAHeadMustBeCompleteWithinTheHeaderTimeoutHoweverSlowlyItTrickles() {
        let clock = RelayConnectionClock(openedAt: start, limits: RelayLimits())
        XCTAssertEqual(clock.phase, .awaitingHead)
        XCTAssertEqual(clock.deadline, start + .seconds(5))
        var trickling = clock
        trickling.progressed(at: start + .seconds(4))
        XCTAssertEqual(trickling.deadline, start + .seconds(5), "bytes of an unfinished head buy no time")
        XCTAssertFalse(trickling.hasExpired(at: start + .milliseconds(4999)))
        XCTAssertTrue(trickling.hasExpired(at: start + .seconds(5)))
    }

    func testAnAnsweredConnectionMayIdleOnlyForTheIdleTimeout() {
        var clock = RelayConnectionClock(openedAt: start, limits: RelayLimits())
        clock.headReceived(at: start + .seconds(1))
        XCTAssertEqual(clock.phase, .answering)
        XCTAssertEqual(clock.deadline, start + .seconds(11))
        clock.progressed(at: start + .seconds(8))
        XCTAssertEqual(clock.deadline, start + .seconds(18))
        clock.progressed(at: start + .seconds(2))
        XCTAssertEqual(clock.deadline, start + .seconds(18), "time does not go back")
        XCTAssertTrue(clock.hasExpired(at: start + .seconds(18)))
    }

    func testAStreamingConnectionHasNoDeadline() {
        var clock = RelayConnectionClock(openedAt: start, limits: RelayLimits())
        clock.headReceived(at: start)
        clock.streamStarted()
        XCTAssertEqual(clock.phase, .streaming)
        XCTAssertNil(clock.deadline)
        XCTAssertFalse(clock.hasExpired(at: start + .hours(5)), "a paused player is still a player")
    }

    func testALateHeadDoesNotReopenTheHeaderPhase() {
        var clock = RelayConnectionClock(openedAt: start, limits: RelayLimits())
        clock.headReceived(at: start)
        clock.streamStarted()
        clock.headReceived(at: start + .seconds(1))
        XCTAssertEqual(clock.phase, .streaming)
    }
}
