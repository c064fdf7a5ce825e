import XCTest
@testable import PixelpassTransport

final class ReceiveCreditTests: XCTestCase {
    func testConsumedBytesGoBackToTheStreamAndTheConnection() {
        var credit = ReceiveCredit()
        XCTAssertEqual(credit.consumed(1200, on: 0), .init(stream: 1200, connection: 1200))
        XCTAssertEqual(credit.consumed(0, on: 0), .init(stream: 0, connection: 0))
    }

    func testAHeldStreamWithholdsItsCreditButNotTheConnections() {
        var credit = ReceiveCredit()
        credit.hold(4)
        XCTAssertEqual(credit.consumed(1000, on: 4), .init(stream: 0, connection: 1000))
        XCTAssertEqual(credit.consumed(500, on: 4), .init(stream: 0, connection: 500))
        XCTAssertEqual(credit.consumed(300, on: 8), .init(stream: 300, connection: 300), "other streams unaffected")
        XCTAssertEqual(credit.release(4), 1500, "the withheld credit comes back in one piece")
        XCTAssertEqual(credit.release(4), 0, "and only once")
        XCTAssertEqual(credit.consumed(100, on: 4), .init(stream: 100, connection: 100))
    }

    func testHoldingTwiceKeepsWhatWasWithheld() {
        var credit = ReceiveCredit()
        credit.hold(0)
        _ = credit.consumed(10, on: 0)
        credit.hold(0)
        XCTAssertEqual(credit.release(0), 10)
    }

    func testAForgottenStreamOwesNothing() {
        var credit = ReceiveCredit()
        credit.hold(0)
        _ = credit.consumed(10, on: 0)
        credit.forget(0)
        XCTAssertFalse(credit.isHeld(0))
        XCTAssertEqual(credit.release(0), 0)
    }
}
