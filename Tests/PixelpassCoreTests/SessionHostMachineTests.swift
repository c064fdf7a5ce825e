import XCTest
import PixelpassMedia
@testable import PixelpassCore

/// The share's life without I/O: what each step asks the driver to do,
/// especially when a stop or a failure comes at an awkward moment.
final class SessionHostMachineTests: XCTestCase {
    private let lost = HostSessionError.sourceLost("the window was closed")

    func testAStartResolvesThenBindsThenAnnounces() {
        var machine = HostSessionMachine()
        XCTAssertEqual(machine.start(), .resolveMedia)
        XCTAssertEqual(machine.start(), .none, "a second start does nothing")
        XCTAssertEqual(machine.mediaResolved(), .startHost)
        XCTAssertFalse(machine.isRunning, "no stats before the ticket is out")
        XCTAssertEqual(machine.hostStarted(), .announce)
        XCTAssertTrue(machine.isRunning)
    }

    func testAStopWhileTheDesktopAsksEndsAtOnceAndReleasesWhatComesLater() {
        var machine = HostSessionMachine()
        _ = machine.start()
        XCTAssertEqual(machine.stop(), .finish(error: nil, end: .stopped, closeMedia: false))
        XCTAssertEqual(machine.mediaResolved(), .releaseLateStart, "the late capture must be closed, not started")
        XCTAssertEqual(machine.hostStarted(), .none)
        XCTAssertEqual(machine.shutdownFinished(), .none, "ended is said once")
    }

    func testAFailedResolutionAfterAStopIsNotReportedButReleased() {
        var machine = HostSessionMachine()
        _ = machine.start()
        _ = machine.stop()
        XCTAssertEqual(machine.mediaFailed(.media(.noDisplay)), .releaseLateStart)
    }

    func testAStopWhileBindingWaitsForTheHostThenShutsItDownProperly() {
        var machine = HostSessionMachine()
        _ = machine.start()
        _ = machine.mediaResolved()
        XCTAssertEqual(machine.stop(), .none, "the socket is being bound: wait for it")
        XCTAssertEqual(machine.hostStarted(), .shutDown(error: nil, end: .stopped), "no ticket for a share being stopped")
        XCTAssertEqual(machine.shutdownFinished(), .finish(error: nil, end: .stopped, closeMedia: false))
    }

    func testAMediaFailureIsReportedAndEnds() {
        var machine = HostSessionMachine()
        _ = machine.start()
        let error = HostSessionError.media(.noSuchMonitor(name: "HDMI-9", display: ":0", monitors: []))
        XCTAssertEqual(machine.mediaFailed(error), .finish(error: error, end: .failed(error), closeMedia: false))
        XCTAssertEqual(machine.stop(), .none)
    }

    func testABindFailureClosesTheResolvedCaptureAndReports() {
        var machine = HostSessionMachine()
        _ = machine.start()
        _ = machine.mediaResolved()
        let error = HostSessionError.startFailed("cannot listen on 127.0.0.1:1")
        XCTAssertEqual(machine.hostFailed(error), .finish(error: error, end: .failed(error), closeMedia: true))
    }

    func testABindFailureAfterAStopEndsAsTheStopTheUserAskedFor() {
        var machine = HostSessionMachine()
        _ = machine.start()
        _ = machine.mediaResolved()
        _ = machine.stop()
        XCTAssertEqual(machine.hostFailed(.startFailed("no")), .finish(error: nil, end: .stopped, closeMedia: true))
    }

    func testALostSourceIsReportedThenViewersAreToldThenItEnds() {
        var machine = running()
        XCTAssertEqual(machine.sourceLost("the window was closed"),
                       .shutDown(error: lost, end: .sourceLost("the window was closed")))
        XCTAssertFalse(machine.isRunning, "no stats while stopping")
        XCTAssertEqual(machine.stop(), .none, "a stop during the shutdown changes nothing")
        XCTAssertEqual(machine.sourceLost("again"), .none)
        XCTAssertEqual(machine.shutdownFinished(), .finish(error: nil, end: .sourceLost("the window was closed"), closeMedia: false))
    }

    func testAStopShutsDownOnceAndEndsOnce() {
        var machine = running()
        XCTAssertEqual(machine.stop(), .shutDown(error: nil, end: .stopped))
        XCTAssertEqual(machine.stop(), .none)
        XCTAssertEqual(machine.shutdownFinished(), .finish(error: nil, end: .stopped, closeMedia: false))
        XCTAssertEqual(machine.shutdownFinished(), .none)
        XCTAssertEqual(machine.stop(), .none)
    }

    func testAStopBeforeTheStartEndsWithoutStarting() {
        var machine = HostSessionMachine()
        XCTAssertEqual(machine.stop(), .finish(error: nil, end: .stopped, closeMedia: false))
        XCTAssertEqual(machine.start(), .none)
    }

    func testEndReasonsAreTheJSONNames() {
        XCTAssertEqual(HostSessionEnd.stopped.code, "interrupted")
        XCTAssertEqual(HostSessionEnd.sourceLost("x").code, "source_lost")
        XCTAssertEqual(HostSessionEnd.failed(.startFailed("x")).code, "error")
    }

    private func running() -> HostSessionMachine {
        var machine = HostSessionMachine()
        _ = machine.start()
        _ = machine.mediaResolved()
        _ = machine.hostStarted()
        return machine
    }
}
