import XCTest
import PixelpassNAT
@testable import PixelpassCore

final class PortMapperGatewayTests: XCTestCase {
    private let header = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"

    func testPicksTheDefaultRouteWithTheLowestMetric() {
        let table = header
            + "eth0\t0001010A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"      // 10.1.1.0/24, on-link
            + "wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"   // default via 192.168.1.1, metric 600
            + "eth0\t00000000\t0100010A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"    // default via 10.1.0.1, metric 100
        XCTAssertEqual(DefaultGateway.parse(procNetRoute: table), DefaultGateway(interface: "eth0", address: NATIP("10.1.0.1")!))
    }

    func testIgnoresRoutesThatAreDownOrWithoutGateway() {
        let table = header
            + "eth0\t00000000\t0100010A\t0002\t0\t0\t0\t00000000\t0\t0\t0\n"      // not RTF_UP
            + "tun0\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0\n"      // default on-link (VPN)
        XCTAssertNil(DefaultGateway.parse(procNetRoute: table))
        XCTAssertNil(DefaultGateway.parse(procNetRoute: ""))
        XCTAssertNil(DefaultGateway.parse(procNetRoute: header + "garbage\n\t\t\n"))
    }

    func testLocalAddressTowardLoopbackGateway() {
        XCTAssertEqual(DefaultGateway(interface: "lo", address: NATIP("127.0.0.1")!).localAddress(), NATIP("127.0.0.1"))
    }
}
