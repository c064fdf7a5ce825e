import XCTest
@testable import PixelpassCore

final class DoctorNATTests: XCTestCase {
    private func diagnosis(seenAs: [String] = ["203.0.113.10:4000"], mapping: NATDiagnosis.Mapping = .endpointIndependent,
                           turn: String? = nil, relayed: String? = nil, problem: String? = nil,
                           portMapping: String? = nil) -> NATDiagnosis {
        NATDiagnosis(stunServers: ["192.0.2.10:3478", "192.0.2.12:3478"], seenAs: seenAs, stunAnswers: seenAs.count,
                     mapping: mapping, turnServer: turn, relayed: relayed, relayProblem: problem, portMapping: portMapping)
    }

    private func rows(_ diagnosis: NATDiagnosis) -> [String: DoctorCheck] {
        Dictionary(uniqueKeysWithValues: DoctorChecks.nat(diagnosis).map { ($0.name, $0) })
    }

    func testAnOrdinaryNATWithARelayIsAllGood() {
        let found = rows(diagnosis(turn: "turn.example.org:3478", relayed: "198.51.100.1:50000", portMapping: "PCP mapped 203.0.113.10:4000"))
        XCTAssertEqual(found["stun"]?.status, .ok)
        XCTAssertEqual(found["nat"]?.status, .ok)
        XCTAssertEqual(found["turn"]?.status, .ok)
        XCTAssertEqual(found["port mapping"]?.status, .ok)
    }

    func testSymmetricNATAndBrokenRelayWarnWithFixes() {
        let found = rows(diagnosis(mapping: .symmetric, turn: "t:3478", problem: "wrong credentials"))
        XCTAssertEqual(found["nat"]?.status, .warning)
        XCTAssertNotNil(found["nat"]?.fix)
        XCTAssertEqual(found["turn"]?.status, .warning)
        XCTAssertTrue(found["turn"]?.detail.contains("wrong credentials") ?? false)
    }

    func testNothingAnsweringIsAWarningNeverAFailure() {
        let all = DoctorChecks.nat(diagnosis(seenAs: [], mapping: .unknown))
        XCTAssertEqual(all.first { $0.name == "stun" }?.status, .warning)
        XCTAssertFalse(all.contains { $0.status == .fail }, "sharing on a LAN works without the internet")
    }
}
