import NIOCore
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
