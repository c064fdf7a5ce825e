import XCTest
@testable import PixelpassNAT

/// NAT-PMP (RFC 6886 §3) byte layouts and the PCP/NAT-PMP client machine.
final class PortMappingNATPMPTests: XCTestCase {
    func testExternalAddressRequestIsVersionAndOpcode() {
        XCTAssertEqual(NATPMP.externalAddressRequest(), [0x00, 0x00])
    }

    func testMapRequestLayout() {
        // §3.3: version 0, opcode 1 (UDP), reserved, internal port, suggested
        // external port, requested lifetime (7200 s = 0x1C20).
        XCTAssertEqual(NATPMP.mapRequest(internalPort: 4500, suggestedExternalPort: 4501, lifetime: 7200),
                       hexBytes("00 01 0000 1194 1195 00001c20"))
    }

    func testDeletionHasLifetimeAndExternalPortZero() {
        XCTAssertEqual(NATPMP.mapRequest(internalPort: 4500, suggestedExternalPort: 4501, lifetime: 0),
                       hexBytes("00 01 0000 1194 0000 00000000"))
    }

    func testDecodesExternalAddressResponse() throws {
        // version 0, opcode 128, result 0, epoch 1000, 203.0.113.10
        let response = try NATPMP.decode(hexBytes("00 80 0000 000003e8 cb00710a"))
        XCTAssertEqual(response, .externalAddress(result: .success, epoch: 1000, address: NATIP("203.0.113.10")!))
    }

    func testDecodesMapResponse() throws {
        let response = try NATPMP.decode(hexBytes("00 81 0000 000003e8 1194 1195 00000e10"))
        XCTAssertEqual(response, .mapping(opcode: .mapUDP, result: .success, epoch: 1000, internalPort: 4500,
                                          externalPort: 4501, lifetime: 3600))
    }

    func testResultCodesAreTyped() throws {
        let refused = try NATPMP.decode(hexBytes("00 81 0002 000003e8 1194 0000 00000000"))
        guard case .mapping(_, let result, _, _, _, _) = refused else { return XCTFail("\(refused)") }
        XCTAssertEqual(result, .notAuthorized)
        XCTAssertEqual(NATPMP.ResultCode(3), .networkFailure)
        XCTAssertEqual(NATPMP.ResultCode(4), .outOfResources)
        XCTAssertEqual(NATPMP.ResultCode(5), .unsupportedOpcode)
        XCTAssertEqual(NATPMP.ResultCode(99), .other(99))
        // A short error reply (what a NAT-PMP server sends to a PCP request).
        XCTAssertEqual(try NATPMP.decode(hexBytes("00 81 0001 000003e8")),
                       .error(opcode: 0x81, result: .unsupportedVersion, epoch: 1000))
    }

    func testMalformedRepliesAreTypedErrors() {
        XCTAssertThrowsError(try NATPMP.decode([])) { XCTAssertEqual($0 as? NATPMP.DecodingError, .truncated(0)) }
        XCTAssertThrowsError(try NATPMP.decode(hexBytes("00 81 0000 000003e8 1194"))) {
            XCTAssertEqual($0 as? NATPMP.DecodingError, .truncated(10))
        }
        XCTAssertThrowsError(try NATPMP.decode(hexBytes("02 81 0000 000003e8 1194 1195 00000e10"))) {
            XCTAssertEqual($0 as? NATPMP.DecodingError, .notNATPMP(version: 2))
        }
        XCTAssertThrowsError(try NATPMP.decode(hexBytes("00 01 0000 1194 1195 00000e10"))) {
            XCTAssertEqual($0 as? NATPMP.DecodingError, .notAResponse(opcode: 1))
        }
    }
}

final class PortMappingPCPTests: XCTestCase {
    private let client = NATIP("10.1.0.10")!
    private let nonce = PCP.Nonce(bytes: Array(1...12))!

    func testMapRequestLayout() {
        let request = PCP.MapRequest(nonce: nonce, client: client, internalPort: 4500,
                                     suggestedExternal: NATAddress(ip: .v4(0), port: 4500), lifetime: 3600).encode()
        // §7.1 header: version 2, R=0 opcode MAP (1), reserved, lifetime, client IP (IPv4-mapped);
        // §11.1 MAP: nonce, protocol 17, reserved, internal port, suggested port, suggested IP (::ffff:0.0.0.0).
        XCTAssertEqual(request, hexBytes("""
            02 01 0000 00000e10 00000000000000000000ffff0a01000a
            0102030405060708090a0b0c 11 000000 1194 1194 00000000000000000000ffff00000000
            """))
        XCTAssertEqual(request.count, 60)
    }

    func testDeletionIsLifetimeZeroWithTheSameNonce() {
        let request = PCP.MapRequest(nonce: nonce, client: client, internalPort: 4500, lifetime: 0).encode()
        XCTAssertEqual(Array(request[4..<8]), [0, 0, 0, 0])
        XCTAssertEqual(Array(request[24..<36]), nonce.bytes)
    }

    private func mapResponse(result: UInt8 = 0, lifetime: UInt32 = 3600, nonce: PCP.Nonce? = nil,
                             external: String = "00000000000000000000ffffcb00710a", port: UInt16 = 4500) -> [UInt8] {
        var bytes = hexBytes("02 81 00") + [result]
        bytes.appendBigEndian(lifetime)
        bytes += hexBytes("000003e8 000000000000000000000000")
        bytes += (nonce ?? self.nonce).bytes
        bytes += hexBytes("11 000000 1194")
        bytes.appendBigEndian(port)
        bytes += hexBytes(external)
        return bytes
    }

    func testDecodesMapResponse() throws {
        guard case .map(let map) = try PCP.decode(mapResponse()) else { return XCTFail() }
        XCTAssertEqual(map.result, .success)
        XCTAssertEqual(map.lifetime, 3600)
        XCTAssertEqual(map.epoch, 1000)
        XCTAssertEqual(map.nonce, nonce)
        XCTAssertEqual(map.protocolNumber, PCP.udp)
        XCTAssertEqual(map.internalPort, 4500)
        XCTAssertEqual(map.external, address("203.0.113.10:4500"))
    }

    func testResultCodes() throws {
        guard case .map(let map) = try PCP.decode(mapResponse(result: 8)) else { return XCTFail() }
        XCTAssertEqual(map.result, .noResources)
        XCTAssertEqual(PCP.ResultCode(1), .unsupportedVersion)
        XCTAssertEqual(PCP.ResultCode(2), .notAuthorized)
        XCTAssertEqual(PCP.ResultCode(12), .addressMismatch)
        XCTAssertEqual(PCP.ResultCode(200), .other(200))
    }

    func testVersionNegotiationAndMalformed() {
        // A NAT-PMP server's reply (version 0) to our version-2 request.
        XCTAssertThrowsError(try PCP.decode(hexBytes("00 81 0001 000003e8"))) {
            XCTAssertEqual($0 as? PCP.DecodingError, .natPMPReply)
        }
        // A PCP server of version 1 answering UNSUPP_VERSION.
        XCTAssertEqual(try PCP.decode(hexBytes("01 81 00 01")), .other(version: 1, opcode: 1, result: .unsupportedVersion))
        XCTAssertThrowsError(try PCP.decode(hexBytes("02 81 00"))) { XCTAssertEqual($0 as? PCP.DecodingError, .truncated(3)) }
        XCTAssertThrowsError(try PCP.decode(Array(mapResponse().prefix(40)))) {
            XCTAssertEqual($0 as? PCP.DecodingError, .truncated(40))
        }
        XCTAssertThrowsError(try PCP.decode(hexBytes("02 01 0000 00000e10"))) {
            XCTAssertEqual($0 as? PCP.DecodingError, .notAResponse)
        }
        XCTAssertThrowsError(try PCP.decode(hexBytes("03 81 00 00"))) {
            XCTAssertEqual($0 as? PCP.DecodingError, .unsupportedVersion(3))
        }
    }

    // MARK: - PCPClient

    private let t0: UInt64 = 5 * sec

    private func makeClient(deadline: UInt64 = 2 * sec) -> PCPClient {
        PCPClient(configuration: .init(client: client, internalPort: 4500, deadline: deadline), random: SeededGenerator(seed: 7))
    }

    private func sends(_ actions: [PCPClient.Action]) -> [[UInt8]] {
        actions.compactMap { if case .send(let bytes) = $0 { bytes } else { nil } }
    }

    /// A success response to the PCP request the client sent.
    private func answer(_ request: [UInt8], result: UInt8 = 0, port: UInt16 = 4500, lifetime: UInt32 = 3600) -> [UInt8] {
        mapResponse(result: result, lifetime: lifetime, nonce: PCP.Nonce(bytes: Array(request[24..<36]))!, port: port)
    }

    func testPCPMapsAndRefreshesAndDeletes() throws {
        var machine = makeClient()
        let first = machine.start(now: t0)
        let request = try XCTUnwrap(sends(first).first)
        XCTAssertEqual(request.count, 60)
        XCTAssertEqual(request[0], 2)
        XCTAssertTrue(first.contains(.setTimer(at: t0 + 250 * ms)))
        let lease = PortMappingLease(mappingProtocol: .pcp, external: address("203.0.113.10:4500"), internalPort: 4500, lifetime: 3600)
        XCTAssertEqual(machine.received(answer(request), now: t0 + 3 * ms), [.mapped(lease)])
        XCTAssertEqual(machine.currentLease, lease)
        XCTAssertEqual(lease.refreshAfterSeconds, 1800)

        let refresh = try XCTUnwrap(sends(machine.refresh(now: t0 + 1800 * sec)).first)
        XCTAssertEqual(Array(refresh[24..<36]), Array(request[24..<36]), "refresh keeps the nonce")
        XCTAssertEqual(Array(refresh[42..<44]), [0x11, 0x94], "asks for the port it has")
        XCTAssertEqual(Array(refresh[56..<60]), [203, 0, 113, 10], "and the address")
        XCTAssertEqual(machine.received(answer(refresh), now: t0 + 1800 * sec + ms), [.mapped(lease)])

        let delete = try XCTUnwrap(sends(machine.release(now: t0 + 2000 * sec)).first)
        XCTAssertEqual(Array(delete[4..<8]), [0, 0, 0, 0])
        XCTAssertEqual(machine.received(answer(delete, lifetime: 0), now: t0 + 2000 * sec + ms), [.released(confirmed: true)])
        XCTAssertNil(machine.currentLease)
    }

    func testFallsBackToNATPMPOnANATPMPReply() throws {
        var machine = makeClient()
        _ = machine.start(now: t0)
        let fallback = machine.received(hexBytes("00 81 0001 000003e8"), now: t0 + ms)
        XCTAssertEqual(fallback.first, .fellBackToNATPMP)
        XCTAssertEqual(sends(fallback), [NATPMP.externalAddressRequest(),
                                         NATPMP.mapRequest(internalPort: 4500, suggestedExternalPort: 4500, lifetime: 3600)])
        XCTAssertEqual(machine.received(hexBytes("00 81 0000 000003e8 1194 1194 00000e10"), now: t0 + 2 * ms), [])
        let lease = PortMappingLease(mappingProtocol: .natPMP, external: address("203.0.113.10:4500"), internalPort: 4500, lifetime: 3600)
        XCTAssertEqual(machine.received(hexBytes("00 80 0000 000003e8 cb00710a"), now: t0 + 3 * ms), [.mapped(lease)])
        // Deletion in NAT-PMP terms.
        XCTAssertEqual(sends(machine.release(now: t0 + sec)), [NATPMP.mapRequest(internalPort: 4500, suggestedExternalPort: 0, lifetime: 0)])
        XCTAssertEqual(machine.received(hexBytes("00 81 0000 000003e8 1194 0000 00000000"), now: t0 + sec + ms),
                       [.released(confirmed: true)])
    }

    func testFallsBackOnUnsupportedVersionAndResendsOnlyWhatIsUnanswered() throws {
        var machine = makeClient()
        _ = machine.start(now: t0)
        XCTAssertEqual(machine.received(hexBytes("01 81 00 01"), now: t0 + ms).first, .fellBackToNATPMP)
        _ = machine.received(hexBytes("00 80 0000 000003e8 cb00710a"), now: t0 + 2 * ms)
        let resend = machine.timerFired(now: t0 + ms + 250 * ms)
        XCTAssertEqual(sends(resend), [NATPMP.mapRequest(internalPort: 4500, suggestedExternalPort: 4500, lifetime: 3600)])
    }

    func testRetransmitsAt250msDoublingUntilTheDeadline() {
        var machine = makeClient()
        var actions = machine.start(now: t0)
        var sentAt: [UInt64] = [t0]
        var failure: PortMappingFailure?
        while failure == nil {
            guard let timer = actions.compactMap({ if case .setTimer(let at) = $0 { at } else { nil } }).last else {
                return XCTFail("no timer in \(actions)")
            }
            XCTAssertTrue(sends(machine.timerFired(now: timer - 1)).isEmpty, "early firing does nothing")
            actions = machine.timerFired(now: timer)
            if !sends(actions).isEmpty { sentAt.append(timer) }
            for case .failed(let reason) in actions { failure = reason }
            XCTAssertLessThanOrEqual(timer, t0 + 2 * sec)
        }
        XCTAssertEqual(sentAt.map { ($0 - t0) / ms }, [0, 250, 750, 1750])
        XCTAssertEqual(failure, .noResponse(.pcp, requestsSent: 4))
    }

    func testRefusalIsTypedAndMismatchesAreIgnored() throws {
        var machine = makeClient()
        let request = try XCTUnwrap(sends(machine.start(now: t0)).first)
        // Another mapping's nonce, a request echoed back, garbage: ignored.
        XCTAssertEqual(machine.received(mapResponse(nonce: PCP.Nonce(bytes: Array(repeating: 9, count: 12))!), now: t0 + ms), [])
        XCTAssertEqual(machine.received(request, now: t0 + ms), [])
        XCTAssertEqual(machine.received([0xFF, 0x00], now: t0 + ms), [])
        XCTAssertEqual(machine.received(answer(request, result: 2), now: t0 + 2 * ms), [.failed(.pcp(.notAuthorized))])
    }

    func testUnspecifiedExternalAddressIsAFailure() throws {
        var machine = makeClient()
        let request = try XCTUnwrap(sends(machine.start(now: t0)).first)
        let reply = mapResponse(nonce: PCP.Nonce(bytes: Array(request[24..<36]))!, external: "00000000000000000000ffff00000000")
        XCTAssertEqual(machine.received(reply, now: t0 + ms), [.failed(.noExternalAddress(.pcp))])
    }

    func testUnansweredDeletionStillEnds() {
        var machine = makeClient(deadline: 1 * sec)
        _ = machine.start(now: t0)
        XCTAssertEqual(sends(machine.release(now: t0 + 10 * ms)).count, 1, "a mapping in flight is deleted too")
        var now = t0 + 10 * ms
        var ended: [PCPClient.Action] = []
        while ended.isEmpty, now < t0 + 5 * sec {
            now += 50 * ms
            ended = machine.timerFired(now: now).filter { if case .released = $0 { true } else { false } }
        }
        XCTAssertEqual(ended, [.released(confirmed: false)])
        XCTAssertEqual(machine.release(now: now), [.released(confirmed: true)], "releasing twice is harmless")
    }
}
