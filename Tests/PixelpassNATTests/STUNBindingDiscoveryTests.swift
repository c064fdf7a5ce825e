import XCTest
@testable import PixelpassNAT

final class STUNBindingDiscoveryTests: XCTestCase {
    private let serverA = address("192.0.2.10:3478")
    private let serverB = address("[2001:db8::10]:3478")
    private let reflexive = address("203.0.113.5:40000")
    private let t0: UInt64 = 1_000 * sec

    private func makeDiscovery(_ servers: [NATAddress], deadline: UInt64? = nil) -> STUNBindingDiscovery {
        STUNBindingDiscovery(servers: servers, configuration: .init(deadline: deadline, software: "pixelpass-test"),
                             random: SeededGenerator(seed: 1))
    }

    /// What a STUN server answers to `request`.
    private func response(to request: [UInt8], mapped: NATAddress? = nil, error: STUNErrorCode? = nil,
                          extra: [STUNAttribute] = []) throws -> [UInt8] {
        let decoded = try STUNMessage.decode(request).message
        XCTAssertEqual(decoded.method, .binding)
        XCTAssertEqual(decoded.messageClass, .request)
        var attributes = extra
        if let mapped { attributes.append(.xorMappedAddress(mapped)) }
        if let error { attributes.append(.errorCode(error)) }
        return STUNMessage(method: .binding, messageClass: error == nil ? .successResponse : .errorResponse,
                           transactionID: decoded.transactionID, attributes: attributes).encode(fingerprint: true)
    }

    private func sends(_ actions: [STUNBindingDiscovery.Action]) -> [(bytes: [UInt8], to: NATAddress)] {
        actions.compactMap { if case .send(let bytes, let to) = $0 { (bytes, to) } else { nil } }
    }

    private func timers(_ actions: [STUNBindingDiscovery.Action]) -> [UInt64] {
        actions.compactMap { if case .setTimer(let at) = $0 { at } else { nil } }
    }

    func testRequestsCarrySoftwareAndFingerprint() throws {
        var discovery = makeDiscovery([serverA])
        let actions = discovery.start(now: t0)
        let request = try XCTUnwrap(sends(actions).first)
        XCTAssertEqual(request.to, serverA)
        let decoded = try STUNMessage.decode(request.bytes)
        XCTAssertEqual(decoded.message.software, "pixelpass-test")
        XCTAssertEqual(decoded.fingerprint, .valid)
        XCTAssertEqual(timers(actions), [t0 + 500 * ms])
    }

    func testRetransmissionScheduleFollowsRFC8489() {
        var discovery = makeDiscovery([serverA])
        let first = sends(discovery.start(now: t0))
        XCTAssertEqual(first.count, 1)
        // Resends at 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s; failure at 31.5 + 16 × 0.5 = 39.5 s.
        var now = t0
        var sendTimes: [UInt64] = [t0]
        var nextTimer = t0 + 500 * ms
        var failure: STUNBindingDiscovery.Failure?
        while failure == nil {
            // Firing early does nothing.
            XCTAssertTrue(sends(discovery.timerFired(now: nextTimer - 1)).isEmpty)
            now = nextTimer
            let actions = discovery.timerFired(now: now)
            for sent in sends(actions) {
                XCTAssertEqual(sent.bytes, first[0].bytes, "a retransmission repeats the request exactly")
                sendTimes.append(now)
            }
            for action in actions {
                if case .failed(let server, let reason) = action {
                    XCTAssertEqual(server, serverA)
                    failure = reason
                }
            }
            if let next = timers(actions).last { nextTimer = next }
        }
        XCTAssertEqual(sendTimes.map { ($0 - t0) / ms }, [0, 500, 1_500, 3_500, 7_500, 15_500, 31_500])
        XCTAssertEqual(now - t0, 39_500 * ms)
        XCTAssertEqual(failure, .noResponse(requestsSent: 7))
        XCTAssertTrue(discovery.isFinished)
        XCTAssertEqual(discovery.results[serverA], .failure(.noResponse(requestsSent: 7)))
    }

    func testAnswerStopsRetransmissionAndReportsTheAddress() throws {
        var discovery = makeDiscovery([serverA])
        let request = sends(discovery.start(now: t0))[0].bytes
        _ = discovery.timerFired(now: t0 + 500 * ms)
        let actions = discovery.received(try response(to: request, mapped: reflexive), from: serverA,
                                         now: t0 + 600 * ms)
        XCTAssertEqual(actions, [.discovered(reflexive, server: serverA)])
        XCTAssertTrue(discovery.isFinished)
        XCTAssertEqual(discovery.timerFired(now: t0 + 10 * sec), [])
        // A late duplicate answer changes nothing.
        XCTAssertEqual(discovery.received(try response(to: request, mapped: reflexive), from: serverA, now: t0 + sec), [])
    }

    func testServersInParallelWithACallerDeadline() throws {
        var discovery = makeDiscovery([serverA, serverB, serverA], deadline: 1 * sec)
        let start = discovery.start(now: t0)
        let requests = sends(start)
        XCTAssertEqual(requests.map(\.to), [serverA, serverB], "duplicates dropped, both asked at once")
        XCTAssertNotEqual(try STUNMessage.decode(requests[0].bytes).message.transactionID,
                          try STUNMessage.decode(requests[1].bytes).message.transactionID)

        let v6Mapped = address("[2001:db8:5::1]:40000")
        XCTAssertEqual(discovery.received(try response(to: requests[1].bytes, mapped: v6Mapped), from: serverB,
                                          now: t0 + 100 * ms),
                       [.discovered(v6Mapped, server: serverB)])
        XCTAssertFalse(discovery.isFinished)

        let retransmit = discovery.timerFired(now: t0 + 500 * ms)
        XCTAssertEqual(sends(retransmit).map(\.to), [serverA])
        XCTAssertEqual(timers(retransmit), [t0 + 1 * sec], "the deadline comes before the 1.5 s resend")

        let end = discovery.timerFired(now: t0 + 1 * sec)
        XCTAssertEqual(end, [.failed(server: serverA, reason: .deadlineReached(requestsSent: 2))])
        XCTAssertTrue(discovery.isFinished)
        XCTAssertEqual(discovery.results, [serverA: .failure(.deadlineReached(requestsSent: 2)), serverB: .success(v6Mapped)])
    }

    func testErrorAndUnusableResponses() throws {
        let serverC = address("198.51.100.1:3478")
        var discovery = makeDiscovery([serverA, serverB, serverC])
        let requests = sends(discovery.start(now: t0))

        XCTAssertEqual(discovery.received(try response(to: requests[0].bytes, error: STUNErrorCode(code: 400, reason: "Bad Request")),
                                          from: serverA, now: t0 + 1),
                       [.failed(server: serverA, reason: .errorResponse(STUNErrorCode(code: 400, reason: "Bad Request")))])
        XCTAssertEqual(discovery.received(try response(to: requests[1].bytes), from: serverB, now: t0 + 2),
                       [.failed(server: serverB, reason: .invalidResponse("no XOR-MAPPED-ADDRESS"))])

        // A comprehension-required attribute we do not know fails the transaction (RFC 8489 §6.3.4).
        let unknown = try response(to: requests[2].bytes, mapped: reflexive, extra: [.other(type: 0x7001, value: [])])
        let actions = discovery.received(unknown, from: serverC, now: t0 + 3)
        guard case .failed(serverC, .invalidResponse(let reason))? = actions.first else {
            return XCTFail("expected a failure, got \(actions)")
        }
        XCTAssertTrue(reason.contains("0x7001"), reason)
        XCTAssertTrue(discovery.isFinished)
    }

    func testOldStyleMappedAddressIsAccepted() throws {
        var discovery = makeDiscovery([serverA])
        let request = sends(discovery.start(now: t0))[0].bytes
        let answer = try response(to: request, extra: [.mappedAddress(reflexive)])
        XCTAssertEqual(discovery.received(answer, from: serverA, now: t0 + 1), [.discovered(reflexive, server: serverA)])
    }

    func testIgnoresForeignAndCorruptDatagrams() throws {
        var discovery = makeDiscovery([serverA])
        let request = sends(discovery.start(now: t0))[0].bytes
        // QUIC-looking bytes, an answer to someone else's transaction, a bad FINGERPRINT.
        XCTAssertEqual(discovery.received([0xC0] + Array(repeating: 0, count: 40), from: serverA, now: t0 + 1), [])
        let stranger = STUNMessage(method: .binding, messageClass: .successResponse, transactionID: .random(),
                                   attributes: [.xorMappedAddress(reflexive)]).encode()
        XCTAssertEqual(discovery.received(stranger, from: serverA, now: t0 + 1), [])
        var corrupt = try response(to: request, mapped: reflexive)
        corrupt[corrupt.count - 1] ^= 1
        XCTAssertEqual(discovery.received(corrupt, from: serverA, now: t0 + 1), [])
        XCTAssertFalse(discovery.isFinished)
    }

    func testStartingTwiceDoesNothing() {
        var discovery = makeDiscovery([serverA], deadline: sec)
        XCTAssertEqual(sends(discovery.start(now: t0)).count, 1)
        XCTAssertEqual(discovery.start(now: t0 + 900 * ms), [])
        XCTAssertEqual(discovery.timerFired(now: t0 + sec), [.failed(server: serverA, reason: .deadlineReached(requestsSent: 1))],
                       "the deadline counts from the first start")
    }

    func testNoServersIsFinishedAtOnce() {
        var discovery = makeDiscovery([])
        XCTAssertEqual(discovery.start(now: t0), [])
        XCTAssertTrue(discovery.isFinished)
    }
}
