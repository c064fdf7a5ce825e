import XCTest
@testable import PixelpassNAT

final class TURNClientTests: XCTestCase {
    private var server = FakeTURNServer()
    private let peer = address("198.51.100.7:5000")
    private let otherPeer = address("[2001:db8:7::7]:6000")
    private let t0: UInt64 = 5_000 * sec

    private func makeClient(_ configure: (inout TURNClient.Configuration) -> Void = { _ in }) -> TURNClient {
        var configuration = TURNClient.Configuration(server: address("192.0.2.1:3478"), credentials: server.credentials,
                                                     software: "pixelpass-test")
        configure(&configuration)
        return TURNClient(configuration: configuration, random: SeededGenerator(seed: 42))
    }

    /// Runs start → 401 → authenticated Allocate → success at `t0`.
    private func allocatedClient(lifetime: UInt32 = 600) throws -> TURNClient {
        var client = makeClient()
        let first = try server.decode(XCTUnwrap(client.start(now: t0).toServer.first)).message
        let second = client.received(server.challenge(first), now: t0 + 10 * ms)
        let request = try server.authenticated(XCTUnwrap(second.toServer.first), method: .allocate)
        let done = client.received(server.allocateSuccess(request, lifetime: lifetime), now: t0)
        XCTAssertEqual(done.outcomes, [.allocated(relayed: server.relayed, mapped: server.mapped, lifetime: lifetime)])
        return client
    }

    // MARK: Allocation

    func testAllocateIsChallengedThenSucceeds() throws {
        var client = makeClient()
        let start = client.start(now: t0)
        XCTAssertEqual(client.phase, .allocating)
        XCTAssertEqual(start.timers, [t0 + 500 * ms])
        let first = try server.decode(XCTUnwrap(start.toServer.first)).message
        XCTAssertEqual(first.method, .allocate)
        XCTAssertEqual(first.attributes.dropLast(), [.requestedTransport(17), .lifetime(600), .software("pixelpass-test")],
                       "the first Allocate carries no credentials")

        let retry = client.received(server.challenge(first), now: t0 + 20 * ms)
        XCTAssertEqual(retry.outcomes, [])
        let second = try server.authenticated(XCTUnwrap(retry.toServer.first), method: .allocate)
        XCTAssertNotEqual(second.transactionID, first.transactionID)
        XCTAssertEqual(second.attributes.prefix(2), [.requestedTransport(17), .lifetime(600)])

        let done = client.received(server.allocateSuccess(second), now: t0 + 40 * ms)
        XCTAssertEqual(done.outcomes, [.allocated(relayed: server.relayed, mapped: server.mapped, lifetime: 600)])
        XCTAssertEqual(done.timers, [t0 + 40 * ms + 540 * sec], "refresh a minute before expiry")
        XCTAssertEqual(client.phase, .allocated(relayed: server.relayed, mapped: server.mapped))
    }

    func testWrongCredentialsFailClearly() throws {
        var client = makeClient()
        let first = try server.decode(XCTUnwrap(client.start(now: t0).toServer.first)).message
        let second = try server.authenticated(XCTUnwrap(client.received(server.challenge(first), now: t0).toServer.first),
                                              method: .allocate)
        let actions = client.received(server.challenge(second), now: t0)
        let failure = TURNFailure.wrongCredentials(username: "alice", realm: "pixelpass.test", reason: "Unauthorized")
        XCTAssertEqual(actions, [.failed(failure)])
        XCTAssertEqual(client.phase, .failed(failure))
        XCTAssertTrue(failure.description.contains("alice") && failure.description.contains("password"), failure.description)
        // Done: no more timers, no more requests.
        XCTAssertEqual(client.timerFired(now: t0 + 60 * sec), [])
        XCTAssertEqual(client.send([1], to: peer, now: t0), [])
    }

    func testChallengeWithoutRealmOrNonceIsInvalid() throws {
        var client = makeClient()
        let first = try server.decode(XCTUnwrap(client.start(now: t0).toServer.first)).message
        let bare = server.error(first, 401, "Unauthorized")
        XCTAssertEqual(client.received(bare, now: t0), [.failed(.invalidResponse("401 without REALM and NONCE"))])
    }

    func testStaleNonceOnAllocateRetriesWithTheNewNonce() throws {
        var client = makeClient()
        let first = try server.decode(XCTUnwrap(client.start(now: t0).toServer.first)).message
        let second = try server.authenticated(XCTUnwrap(client.received(server.challenge(first), now: t0).toServer.first),
                                              method: .allocate)
        server.nonce = "nonce-2"
        let retry = client.received(server.error(second, 438, "Stale Nonce", attributes: [.realm(server.realm), .nonce("nonce-2")]),
                                    now: t0)
        let third = try server.authenticated(XCTUnwrap(retry.toServer.first), method: .allocate, nonce: "nonce-2")
        XCTAssertNotEqual(third.transactionID, second.transactionID)
        XCTAssertEqual(client.received(server.allocateSuccess(third), now: t0).outcomes,
                       [.allocated(relayed: server.relayed, mapped: server.mapped, lifetime: 600)])
    }

    func testEndlessStaleNoncesGiveUp() throws {
        var client = makeClient()
        let first = try server.decode(XCTUnwrap(client.start(now: t0).toServer.first)).message
        var request = try server.authenticated(XCTUnwrap(client.received(server.challenge(first), now: t0).toServer.first),
                                               method: .allocate)
        for round in 0..<3 {
            let actions = client.received(server.error(request, 438, "Stale Nonce", attributes: [.nonce("n\(round)")]), now: t0)
            request = try server.authenticated(XCTUnwrap(actions.toServer.first), method: .allocate, nonce: "n\(round)")
        }
        XCTAssertEqual(client.received(server.error(request, 438, "Stale Nonce", attributes: [.nonce("n9")]), now: t0),
                       [.failed(.staleNonceLoop)])
    }

    func testAllocateErrorsMapToTypedReasons() throws {
        let cases: [(Int, String, TURNFailure)] = [
            (403, "Forbidden IP", .forbidden(reason: "Forbidden IP")),
            (437, "Allocation Mismatch", .allocationMismatch(reason: "Allocation Mismatch")),
            (442, "Unsupported Transport Protocol", .unsupportedTransport(reason: "Unsupported Transport Protocol")),
            (486, "Allocation Quota Reached", .allocationQuotaReached(reason: "Allocation Quota Reached")),
            (508, "Insufficient Capacity", .insufficientCapacity(reason: "Insufficient Capacity")),
            (500, "Server Error", .serverError(STUNErrorCode(code: 500, reason: "Server Error"))),
            (300, "Try Alternate", .serverError(STUNErrorCode(code: 300, reason: "Try Alternate"))),
        ]
        for (code, reason, expected) in cases {
            var client = makeClient()
            let first = try server.decode(XCTUnwrap(client.start(now: t0).toServer.first)).message
            let second = try server.authenticated(XCTUnwrap(client.received(server.challenge(first), now: t0).toServer.first),
                                                  method: .allocate)
            XCTAssertEqual(client.received(server.error(second, code, reason), now: t0), [.failed(expected)], "\(code)")
            XCTAssertTrue(expected.description.contains(reason), expected.description)
        }
    }

    func testAllocateRetransmitsThenTimesOut() throws {
        var client = makeClient()
        let start = client.start(now: t0)
        let request = try XCTUnwrap(start.toServer.first)
        var now = t0
        var next = try XCTUnwrap(start.timers.first)
        var resends: [UInt64] = []
        var outcome: [TURNClient.Action] = []
        while outcome.isEmpty {
            now = next
            let actions = client.timerFired(now: now)
            for bytes in actions.toServer {
                XCTAssertEqual(bytes, request)
                resends.append((now - t0) / ms)
            }
            outcome = actions.outcomes
            if let timer = actions.timers.last { next = timer }
        }
        XCTAssertEqual(resends, [500, 1_500, 3_500, 7_500, 15_500, 31_500])
        XCTAssertEqual(now - t0, 39_500 * ms)
        XCTAssertEqual(outcome, [.failed(.noResponse(request: "Allocate", requestsSent: 7))])
    }

    func testForgedSuccessIsIgnored() throws {
        var client = makeClient()
        let first = try server.decode(XCTUnwrap(client.start(now: t0).toServer.first)).message
        let second = try server.authenticated(XCTUnwrap(client.received(server.challenge(first), now: t0).toServer.first),
                                              method: .allocate)
        let forged = server.success(second, [.xorRelayedAddress(address("6.6.6.6:6666"))], key: STUNKey(bytes: [1, 2, 3]))
        XCTAssertEqual(client.received(forged, now: t0), [])
        XCTAssertEqual(client.phase, .allocating)
        XCTAssertEqual(client.received(server.allocateSuccess(second), now: t0).outcomes,
                       [.allocated(relayed: server.relayed, mapped: server.mapped, lifetime: 600)])
    }

    func testSuccessWithoutRelayedAddressIsInvalid() throws {
        var client = makeClient()
        let first = try server.decode(XCTUnwrap(client.start(now: t0).toServer.first)).message
        let second = try server.authenticated(XCTUnwrap(client.received(server.challenge(first), now: t0).toServer.first),
                                              method: .allocate)
        XCTAssertEqual(client.received(server.success(second, [.lifetime(600)]), now: t0),
                       [.failed(.invalidResponse("Allocate success without XOR-RELAYED-ADDRESS"))])
    }

    // MARK: Refresh and release

    func testRefreshTimingFollowsTheGrantedLifetime() throws {
        var client = try allocatedClient(lifetime: 600)
        let early = client.timerFired(now: t0 + 540 * sec - 1)
        XCTAssertEqual(early.toServer, [])
        XCTAssertEqual(early.timers, [t0 + 540 * sec], "a timer that fires early is re-armed")
        let due = client.timerFired(now: t0 + 540 * sec)
        let refresh = try server.authenticated(XCTUnwrap(due.toServer.first), method: .refresh)
        XCTAssertEqual(refresh.lifetime, 600)
        XCTAssertEqual(due.timers, [t0 + 540 * sec + 500 * ms], "retransmission armed")

        // The server grants less than asked: 100 s → refresh at half of it (later than 100 − 60).
        let granted = client.received(server.success(refresh, [.lifetime(100)]), now: t0 + 541 * sec)
        XCTAssertEqual(granted, [.setTimer(at: t0 + 541 * sec + 50 * sec)])
        let again = client.timerFired(now: t0 + 591 * sec)
        XCTAssertEqual(try server.authenticated(XCTUnwrap(again.toServer.first), method: .refresh).lifetime, 600)
    }

    func testStaleNonceOnRefresh() throws {
        var client = try allocatedClient()
        let due = client.timerFired(now: t0 + 540 * sec)
        let refresh = try server.authenticated(XCTUnwrap(due.toServer.first), method: .refresh)
        server.nonce = "nonce-2"
        let retry = client.received(server.error(refresh, 438, "Stale Nonce", attributes: [.nonce("nonce-2")]), now: t0 + 540 * sec)
        let second = try server.authenticated(XCTUnwrap(retry.toServer.first), method: .refresh, nonce: "nonce-2")
        XCTAssertEqual(client.received(server.success(second, [.lifetime(600)]), now: t0 + 541 * sec).outcomes, [])
        XCTAssertEqual(client.phase, .allocated(relayed: server.relayed, mapped: server.mapped))
    }

    func testRefreshAllocationMismatchMeansTheAllocationIsLost() throws {
        var client = try allocatedClient()
        let refresh = try server.authenticated(XCTUnwrap(client.timerFired(now: t0 + 540 * sec).toServer.first), method: .refresh)
        XCTAssertEqual(client.received(server.error(refresh, 437, "Allocation Mismatch"), now: t0 + 540 * sec),
                       [.failed(.allocationLost(reason: "Allocation Mismatch"))])
    }

    func testReleaseSendsLifetimeZero() throws {
        var client = try allocatedClient()
        let actions = client.release(now: t0 + 10 * sec)
        XCTAssertEqual(client.phase, .releasing)
        let refresh = try server.authenticated(XCTUnwrap(actions.toServer.first), method: .refresh)
        XCTAssertEqual(refresh.lifetime, 0)
        XCTAssertEqual(client.received(server.success(refresh, [.lifetime(0)]), now: t0 + 10 * sec), [.released])
        XCTAssertEqual(client.phase, .released)
        XCTAssertEqual(client.timerFired(now: t0 + 600 * sec), [], "no refresh after release")
    }

    func testReleaseWithoutAnswerStillEnds() throws {
        var client = try allocatedClient()
        _ = client.release(now: t0)
        var outcome: [TURNClient.Action] = []
        var now = t0
        while outcome.isEmpty, now < t0 + 60 * sec {
            now += 500 * ms
            outcome = client.timerFired(now: now).outcomes
        }
        XCTAssertEqual(outcome, [.released])
        XCTAssertEqual(now, t0 + 39_500 * ms)
    }

    func testReleaseBeforeAllocation() {
        var client = makeClient()
        XCTAssertEqual(client.release(now: t0), [.released])
        var started = makeClient()
        _ = started.start(now: t0)
        XCTAssertEqual(started.release(now: t0), [.released])
        XCTAssertEqual(started.timerFired(now: t0 + sec), [])
    }

    // MARK: Permissions, channels, data

    func testPermissionIsCreatedAndRefreshed() throws {
        var client = try allocatedClient()
        let actions = client.permit(peer.ip, now: t0 + sec)
        let request = try server.authenticated(XCTUnwrap(actions.toServer.first), method: .createPermission)
        XCTAssertEqual(request.xorPeerAddress, NATAddress(ip: peer.ip, port: 0))
        XCTAssertEqual(client.permit(peer.ip, now: t0 + sec), [], "one request per peer")
        XCTAssertEqual(client.received(server.success(request), now: t0 + 2 * sec), [.setTimer(at: t0 + 242 * sec)],
                       "refresh four minutes after the server confirmed")
        XCTAssertEqual(client.permittedPeers, [peer.ip])

        XCTAssertEqual(client.timerFired(now: t0 + 242 * sec - 1).toServer, [])
        let refresh = client.timerFired(now: t0 + 242 * sec)
        let again = try server.authenticated(XCTUnwrap(refresh.toServer.first), method: .createPermission)
        XCTAssertEqual(again.xorPeerAddress?.ip, peer.ip)
        _ = client.received(server.success(again), now: t0 + 243 * sec)
        XCTAssertEqual(client.timerFired(now: t0 + 483 * sec).toServer.count, 1, "and again four minutes later")
    }

    func testPermitBeforeAllocationIsSentAfterIt() throws {
        var client = makeClient()
        let first = try server.decode(XCTUnwrap(client.start(now: t0).toServer.first)).message
        XCTAssertEqual(client.permit(peer.ip, now: t0), [])
        let second = try server.authenticated(XCTUnwrap(client.received(server.challenge(first), now: t0).toServer.first),
                                              method: .allocate)
        let done = client.received(server.allocateSuccess(second), now: t0)
        XCTAssertEqual(done.outcomes.count, 1)
        let permission = try server.authenticated(XCTUnwrap(done.toServer.first), method: .createPermission)
        XCTAssertEqual(permission.xorPeerAddress?.ip, peer.ip)
    }

    func testPermissionFailureConcernsOnlyThatPeer() throws {
        var client = try allocatedClient()
        let request = try server.authenticated(XCTUnwrap(client.permit(peer.ip, now: t0).toServer.first),
                                               method: .createPermission)
        XCTAssertEqual(client.received(server.error(request, 403, "Forbidden"), now: t0).outcomes,
                       [.permissionFailed(peer.ip, .forbidden(reason: "Forbidden"))])
        XCTAssertEqual(client.phase, .allocated(relayed: server.relayed, mapped: server.mapped))
        XCTAssertEqual(client.permittedPeers, [])
    }

    func testSendIndicationUntilTheChannelIsBoundThenChannelData() throws {
        var client = try allocatedClient()
        let payload: [UInt8] = Array("quic packet".utf8)
        let first = client.send(payload, to: peer, now: t0 + sec)
        XCTAssertEqual(first.toServer.count, 2)
        // ChannelBind first so that the server has the permission when the indication arrives.
        let bind = try server.authenticated(first.toServer[0], method: .channelBind)
        XCTAssertEqual(bind.channelNumber, 0x4000)
        XCTAssertEqual(bind.xorPeerAddress, peer)
        let indication = try server.decode(first.toServer[1]).message
        XCTAssertEqual(indication.method, .send)
        XCTAssertEqual(indication.messageClass, .indication)
        XCTAssertEqual(indication.xorPeerAddress, peer)
        XCTAssertEqual(indication.data, payload)

        // While binding: indications only, no second ChannelBind.
        let waiting = client.send([1, 2], to: peer, now: t0 + sec)
        XCTAssertEqual(waiting.toServer.count, 1)
        XCTAssertEqual(try server.decode(waiting.toServer[0]).message.method, .send)

        XCTAssertEqual(client.received(server.success(bind), now: t0 + 2 * sec).outcomes, [])
        XCTAssertEqual(client.boundChannels, [peer: 0x4000])
        XCTAssertEqual(client.permittedPeers, [peer.ip], "ChannelBind installs the permission")
        XCTAssertEqual(client.send(payload, to: peer, now: t0 + 3 * sec),
                       [.sendToServer(TURNChannelData(channel: 0x4000, payload: payload).encode())])

        // A second peer gets the next channel.
        let other = client.send([9], to: otherPeer, now: t0 + 3 * sec)
        XCTAssertEqual(try server.authenticated(other.toServer[0], method: .channelBind).channelNumber, 0x4001)
    }

    func testChannelAndItsPermissionAreRefreshed() throws {
        var client = try allocatedClient()
        let bind = try server.authenticated(client.send([1], to: peer, now: t0).toServer[0], method: .channelBind)
        _ = client.received(server.success(bind), now: t0)

        // Permission (via CreatePermission) every 4 minutes …
        let permission = client.timerFired(now: t0 + 240 * sec)
        let create = try server.authenticated(XCTUnwrap(permission.toServer.first), method: .createPermission)
        XCTAssertEqual(create.xorPeerAddress?.ip, peer.ip)
        _ = client.received(server.success(create), now: t0 + 240 * sec)

        let eight = client.timerFired(now: t0 + 480 * sec)
        let createAgain = try server.authenticated(XCTUnwrap(eight.toServer.first), method: .createPermission)
        _ = client.received(server.success(createAgain), now: t0 + 480 * sec)

        // … the channel itself at 9 minutes, same number, same peer (the allocation refresh is also due then).
        let nine = client.timerFired(now: t0 + 540 * sec)
        let requests = try nine.toServer.map { try server.decode($0).message }
        XCTAssertEqual(Set(requests.map(\.method)), [.refresh, .channelBind])
        let rebind = try XCTUnwrap(requests.first { $0.method == .channelBind })
        XCTAssertEqual(rebind.channelNumber, 0x4000)
        XCTAssertEqual(rebind.xorPeerAddress, peer)
        // Still bound while the refresh is in flight.
        XCTAssertEqual(client.send([2], to: peer, now: t0 + 540 * sec).toServer,
                       [TURNChannelData(channel: 0x4000, payload: [2]).encode()])
    }

    func testChannelBindFailureFallsBackToIndications() throws {
        var client = try allocatedClient()
        let bind = try server.authenticated(client.send([1], to: peer, now: t0).toServer[0], method: .channelBind)
        XCTAssertEqual(client.received(server.error(bind, 403, "Forbidden IP"), now: t0).outcomes,
                       [.permissionFailed(peer.ip, .forbidden(reason: "Forbidden IP"))])
        XCTAssertEqual(client.boundChannels, [:])
        let retry = client.send([2], to: peer, now: t0 + sec)
        XCTAssertEqual(try server.authenticated(retry.toServer[0], method: .channelBind).channelNumber, 0x4001,
                       "a failed number is not reused")
    }

    func testIncomingDataIndicationAndChannelData() throws {
        var client = try allocatedClient()
        XCTAssertEqual(client.received(server.dataIndication(from: peer, [1, 2, 3]), now: t0), [.deliver([1, 2, 3], from: peer)])

        let bind = try server.authenticated(client.send([0], to: peer, now: t0).toServer[0], method: .channelBind)
        let frame = TURNChannelData(channel: 0x4000, payload: [4, 5, 6, 7, 8])
        XCTAssertEqual(client.received(frame.encode(padded: true), now: t0), [.deliver([4, 5, 6, 7, 8], from: peer)],
                       "ChannelData may arrive before the ChannelBind answer")
        _ = client.received(server.success(bind), now: t0)
        XCTAssertEqual(client.received(frame.encode(), now: t0), [.deliver([4, 5, 6, 7, 8], from: peer)])
        XCTAssertEqual(client.received(TURNChannelData(channel: 0x4ABC, payload: [1]).encode(), now: t0), [],
                       "unknown channel")
        XCTAssertEqual(client.received([0x40, 0x00, 0x00, 0x09, 1], now: t0), [], "truncated ChannelData")
    }

    func testOutOfChannelNumbersFallsBackToPermissionAndIndications() throws {
        var client = try allocatedClient()
        for index in 0..<4096 {
            let peer = NATAddress(ip: .v4(0x0A00_0000 + UInt32(index)), port: 9)
            XCTAssertEqual(client.send([1], to: peer, now: t0).toServer.count, 2)
        }
        let last = address("10.99.0.1:9")
        let actions = client.send([1], to: last, now: t0)
        let requests = try actions.toServer.map { try server.decode($0).message }
        XCTAssertEqual(requests.map(\.method), [.createPermission, .send])
        XCTAssertEqual(requests[0].xorPeerAddress?.ip, last.ip)
    }

    func testNothingIsSentBeforeAllocation() {
        var client = makeClient()
        _ = client.start(now: t0)
        XCTAssertEqual(client.send([1], to: peer, now: t0), [])
    }
}
