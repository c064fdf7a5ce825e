import NIOCore
import PixelpassTicket
import XCTest
@testable import PixelpassCore

final class SocketAddressLoopbackTests: XCTestCase {
    func testLoopbackIsDecidedByTheAddressBytes() throws {
        for ip in ["127.0.0.1", "127.1.2.3", "::1"] {
            XCTAssertTrue(try SocketAddress(ipAddress: ip, port: 1).isLoopback, ip)
        }
        for ip in ["128.0.0.1", "10.127.0.1", "1.2.3.127", "0.0.0.0", "::", "::2", "fe80::1", "::ffff:127.0.0.1"] {
            XCTAssertFalse(try SocketAddress(ipAddress: ip, port: 1).isLoopback, ip)
        }
    }
}

final class TicketAddressConversionTests: XCTestCase {
    func testTicketAndSocketAddressesConvertAsBytesBothWays() throws {
        for (ip, port) in [("192.0.2.7", 4433), ("::1", 9), ("2001:db8::42", 65535), ("127.0.0.1", 1)] {
            let socket = try SocketAddress(ipAddress: ip, port: port)
            let ticket = try XCTUnwrap(TicketAddress(socket), ip)
            XCTAssertEqual(ticket, TicketAddress(socket.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"))
            XCTAssertEqual(ticket.socketAddress, socket)
            XCTAssertEqual(ticket.socketAddress.description, socket.description, "logs read the same")
        }
        XCTAssertNil(TicketAddress(try SocketAddress(ipAddress: "192.0.2.7", port: 0)), "port 0 reaches nothing")
    }

    func testUnspecifiedMeansEveryInterface() throws {
        XCTAssertTrue(try SocketAddress(ipAddress: "0.0.0.0", port: 1).isUnspecified)
        XCTAssertTrue(try SocketAddress(ipAddress: "::", port: 1).isUnspecified)
        XCTAssertFalse(try SocketAddress(ipAddress: "0.0.0.1", port: 1).isUnspecified)
        XCTAssertFalse(try SocketAddress(ipAddress: "::1", port: 1).isUnspecified)
    }
}
