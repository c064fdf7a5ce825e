import XCTest
import NIOCore
@testable import PixelpassTransport

final class ConnectionAdmissionTests: XCTestCase {
    private let a = ConnectionAdmission.Source(prefix: [10, 0, 0, 1])
    private let b = ConnectionAdmission.Source(prefix: [10, 0, 0, 2])

    func testHandshakesInProgressAreCappedPerSourceAndOverall() {
        var admission = ConnectionAdmission(limits: .init(pendingPerSource: 2, pendingTotal: 3, openPerSource: 10,
                                                          openTotal: 10, floodSize: 100))
        XCTAssertTrue(admission.admit(a))
        XCTAssertTrue(admission.admit(a))
        XCTAssertFalse(admission.admit(a), "a third handshake from one source")
        XCTAssertTrue(admission.admit(b))
        XCTAssertFalse(admission.admit(b), "over the total")
        admission.handshakeCompleted(a)
        XCTAssertTrue(admission.admit(a), "a completed handshake frees its place")
        XCTAssertEqual(admission.takeRefusals().dropped, 2)
        XCTAssertEqual(admission.takeRefusals().dropped, 0)
    }

    func testOpenConnectionsAreCappedPerSource() {
        var admission = ConnectionAdmission(limits: .init(pendingPerSource: 5, pendingTotal: 5, openPerSource: 2,
                                                          openTotal: 10, floodSize: 100))
        XCTAssertTrue(admission.admit(a))
        admission.handshakeCompleted(a)
        XCTAssertTrue(admission.admit(a))
        admission.handshakeCompleted(a)
        XCTAssertFalse(admission.admit(a))
        _ = admission.closed(a, completed: true)
        XCTAssertTrue(admission.admit(a))
    }

    func testMemoryIsGivenBackOnceWhenAFloodHasPassed() {
        var admission = ConnectionAdmission(limits: .init(pendingPerSource: 1, pendingTotal: 10, openPerSource: 10,
                                                          openTotal: 10, floodSize: 100))
        XCTAssertTrue(admission.admit(a))
        XCTAssertFalse(admission.admit(a))  // the cap was hit: a flood
        XCTAssertTrue(admission.admit(b))
        XCTAssertFalse(admission.closed(a, completed: false), "one handshake is still in progress")
        XCTAssertTrue(admission.closed(b, completed: false))
        XCTAssertTrue(admission.admit(a))
        XCTAssertFalse(admission.closed(a, completed: false), "quiet since: nothing more to give back")
    }

    func testIPv6SourcesAreTheirSlash64() {
        let one = ConnectionAdmission.Source(try! SocketAddress(ipAddress: "2001:db8:1:2::1", port: 1000))
        let two = ConnectionAdmission.Source(try! SocketAddress(ipAddress: "2001:db8:1:2:ffff::9", port: 2000))
        let other = ConnectionAdmission.Source(try! SocketAddress(ipAddress: "2001:db8:1:3::1", port: 1000))
        XCTAssertEqual(one, two)
        XCTAssertNotEqual(one, other)
        let v4 = ConnectionAdmission.Source(try! SocketAddress(ipAddress: "192.0.2.7", port: 1))
        XCTAssertEqual(v4.prefix, [192, 0, 2, 7])
    }

    func testUnderLoadANewClientMustComeBackWithARetryToken() {
        var admission = ConnectionAdmission(limits: .init(pendingPerSource: 8, pendingTotal: 8, openPerSource: 10,
                                                          openTotal: 10, floodSize: 100, retryAbove: 2))
        XCTAssertEqual(admission.admit(a, validated: false), .accept)
        XCTAssertEqual(admission.admit(b, validated: false), .accept)
        XCTAssertEqual(admission.admit(a, validated: false), .retry, "two handshakes in progress: prove your address")
        XCTAssertEqual(admission.admit(a, validated: true), .accept, "came back with the token")
        admission.handshakeCompleted(a)
        admission.handshakeCompleted(a)
        XCTAssertEqual(admission.admit(b, validated: false), .accept, "the load has passed")
    }
}
