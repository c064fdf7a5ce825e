import XCTest
@testable import PixelpassCore

/// The watch's life without I/O.
final class SessionViewMachineTests: XCTestCase {
    func testAConnectionIsAnnouncedAndTheHostEndingClosesIt() {
        var machine = ViewSessionMachine()
        XCTAssertEqual(machine.start(), .connect)
        XCTAssertEqual(machine.connectionMade(), .announce)
        XCTAssertTrue(machine.isConnected)
        XCTAssertEqual(machine.connectionEnded(.hostEnded), .close)
        XCTAssertFalse(machine.isConnected, "no stats while closing")
        XCTAssertEqual(machine.closed(), .finish(error: nil, end: .hostEnded))
    }

    func testAStopWhileConnectingEndsAtOnceAndALateConnectionIsDiscarded() {
        var machine = ViewSessionMachine()
        _ = machine.start()
        XCTAssertEqual(machine.stop(), .finish(error: nil, end: .interrupted))
        XCTAssertEqual(machine.connectionMade(), .discard, "a connection made after the stop is closed, not announced")
        XCTAssertEqual(machine.connectionFailed(.other("late")), .none, "nor is a late failure reported")
    }

    func testOurOwnCloseDoesNotTurnAStopIntoAnotherEnd() {
        var machine = connected()
        XCTAssertEqual(machine.stop(), .close)
        // Closing the viewer reports a local end; the stop is what counts.
        XCTAssertEqual(machine.connectionEnded(.closed), .none)
        XCTAssertEqual(machine.closed(), .finish(error: nil, end: .interrupted))
        XCTAssertEqual(machine.stop(), .none)
    }

    func testBeingRemovedEndsAsRemoved() {
        var machine = connected()
        XCTAssertEqual(machine.connectionEnded(.removed), .close)
        XCTAssertEqual(machine.stop(), .none, "a Ctrl-C while closing changes nothing")
        XCTAssertEqual(machine.closed(), .finish(error: nil, end: .removed))
    }

    func testAFailureToConnectIsReported() {
        var machine = ViewSessionMachine()
        _ = machine.start()
        let error = ViewSessionError.viewer(.refused(status: 503, message: "the host is full"))
        XCTAssertEqual(machine.connectionFailed(error), .finish(error: error, end: .failed(error)))
    }

    func testAConnectionThatEndsBeforeItIsAnnouncedIsClosedWithThatEnd() {
        var machine = ViewSessionMachine()
        _ = machine.start()
        XCTAssertEqual(machine.connectionEnded(.hostEnded), .none)
        XCTAssertEqual(machine.connectionMade(), .close, "never announce a connection already gone")
        XCTAssertEqual(machine.closed(), .finish(error: nil, end: .hostEnded))
    }

    func testViewerEndsMapToSessionEndsAndJSONNames() {
        XCTAssertEqual(ViewSessionEnd(ViewerEnd.hostEnded), .hostEnded)
        XCTAssertEqual(ViewSessionEnd(ViewerEnd.removedByHost), .removed)
        XCTAssertEqual(ViewSessionEnd(ViewerEnd.lostContact("idle")), .lostContact("idle"))
        XCTAssertEqual(ViewSessionEnd(ViewerEnd.local), .closed)
        XCTAssertEqual([ViewSessionEnd.interrupted, .hostEnded, .removed, .lostContact("x"), .closed, .failed(.other("x"))].map(\.code),
                       ["interrupted", "host_ended", "removed", "lost_contact", "closed", "error"])
    }

    private func connected() -> ViewSessionMachine {
        var machine = ViewSessionMachine()
        _ = machine.start()
        _ = machine.connectionMade()
        return machine
    }
}
