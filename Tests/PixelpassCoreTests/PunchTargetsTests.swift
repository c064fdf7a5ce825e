import XCTest
import PixelpassNAT
@testable import PixelpassCore

final class PunchTargetsTests: XCTestCase {
    private func address(_ text: String) -> NATAddress {
        let parts = text.split(separator: ":")
        let octets = parts[0].split(separator: ".").map { UInt32($0)! }
        return NATAddress(ip: .v4(octets.reduce(0) { $0 << 8 | $1 }), port: UInt16(parts[1])!)
    }

    func testADirectViewerGetsPunchesOnlyNearWhereItComesFrom() {
        let chosen = PunchTargets.chosen(offered: [address("203.0.113.9:4000"), address("198.51.100.1:53"),
                                                   address("203.0.113.77:4000")],
                                         observed: address("203.0.113.9:5000").ip, relayed: false, ownAddresses: [])
        XCTAssertEqual(chosen, [address("203.0.113.9:4000"), address("203.0.113.77:4000")])
    }

    func testPrivateAddressesOnlyOnTheHostsOwnLAN() {
        let chosen = PunchTargets.chosen(offered: [address("192.168.1.20:4000"), address("10.9.9.9:4000")],
                                         observed: address("203.0.113.9:5000").ip, relayed: false,
                                         ownAddresses: [address("192.168.1.5:1").ip])
        XCTAssertEqual(chosen, [address("192.168.1.20:4000")])
    }

    func testARelayedViewerMayNameOneOtherAddressAndNoOneMoreThanTheLimit() {
        let offered = (1...8).map { address("198.51.100.\($0):4000") }
        let chosen = PunchTargets.chosen(offered: offered, observed: address("192.0.2.10:3478").ip, relayed: true,
                                         ownAddresses: [])
        XCTAssertEqual(chosen, [address("198.51.100.1:4000")])
        let near = (1...8).map { address("192.0.2.\($0):4000") }
        XCTAssertEqual(PunchTargets.chosen(offered: near, observed: address("192.0.2.10:1").ip, relayed: false,
                                           ownAddresses: []).count, PunchTargets.limit)
    }
}
