import XCTest
@testable import PixelpassCore

final class ViewerConnectionsTests: XCTestCase {
    func testACertificateGetsItsShareOfConnectionsAndAClosedOneIsGivenBack() {
        var connections = ViewerConnections<Int>(perCertificate: 2)
        XCTAssertTrue(connections.connected(1, certificate: "a"))
        XCTAssertTrue(connections.connected(2, certificate: "a"))
        XCTAssertFalse(connections.connected(3, certificate: "a"))
        XCTAssertTrue(connections.connected(4, certificate: "b"))
        connections.disconnected(1)
        XCTAssertTrue(connections.connected(3, certificate: "a"))
    }

    func testOnlyAnAuthorisedConnectionMayStay() {
        var connections = ViewerConnections<Int>(perCertificate: 4)
        _ = connections.connected(1, certificate: "a")
        _ = connections.connected(2, certificate: "b")
        connections.authorised(1)
        XCTAssertFalse(connections.needsAuthorisation(1))
        XCTAssertTrue(connections.needsAuthorisation(2))
        connections.disconnected(2)
        XCTAssertFalse(connections.needsAuthorisation(2), "a closed connection needs nothing")
        connections.authorised(9)
        XCTAssertFalse(connections.isAuthorised(9), "an unknown connection is not remembered")
    }
}
