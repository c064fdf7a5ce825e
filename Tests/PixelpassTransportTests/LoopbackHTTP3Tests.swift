import NIOCore
import NIOPosix
import XCTest
@testable import PixelpassTransport
import PixelpassBytes

/// A server that answers /small with a fixed body, /big with `bigSize`
/// bytes of a counting pattern, and anything else with 404.
private final class TestServerDelegate: HTTP3ServerDelegate {
    var bigSize = 0
    var connected: [String] = []
    var requestsSeen: [String] = []

    func http3Server(_ server: HTTP3Server, peerConnected peer: HTTP3Peer) { connected.append(peer.id) }
    func http3Server(_ server: HTTP3Server, peerDisconnected peer: HTTP3Peer, reason: QUICCloseReason) {}
    func http3Server(_ server: HTTP3Server, didReceive request: HTTP3Responder) {
        requestsSeen.append(request.request.path)
        switch request.request.pathOnly {
        case "/small":
            request.respond(status: 200, headers: [("content-type", "text/plain")], body: Array("hello".utf8))
        case "/big":
            request.startStreaming(status: 200)
            let chunk = 64 * 1024
            var sent = 0
            while sent < bigSize {
                let n = min(chunk, bigSize - sent)
                request.write(SharedBytes((0..<n).map { UInt8(truncatingIfNeeded: sent + $0) }))
                sent += n
            }
            request.finish()
        default:
            request.respond(status: 404, body: Array("no".utf8))
        }
    }
}

final class LoopbackHTTP3Tests: XCTestCase {
    var group: MultiThreadedEventLoopGroup!

    override func setUp() { group = MultiThreadedEventLoopGroup(numberOfThreads: 1) }
    override func tearDown() { try? group.syncShutdownGracefully() }

    fileprivate func startServer(_ delegate: TestServerDelegate, identity: TLSIdentity) throws -> HTTP3Server {
        let loop = group.next()
        let server = try HTTP3Server.start(bindingTo: try SocketAddress(ipAddress: "127.0.0.1", port: 0),
                                           identity: identity, on: loop).wait()
        try loop.submit { server.delegate = delegate }.wait()
        return server
    }

    private func fetch(_ client: HTTP3Client, _ path: String) throws -> (Int, [UInt8], HTTP3RequestEnd) {
        let loop = client.eventLoop
        let promise = loop.makePromise(of: (Int, [UInt8], HTTP3RequestEnd).self)
        try loop.submit {
            var status = 0
            var body: [UInt8] = []
            let request = try client.get(path)
            request.onResponse = { status = $0.status }
            request.onData = { body.append(contentsOf: $0) }
            request.onEnd = { promise.succeed((status, body, $0)) }
        }.wait()
        return try promise.futureResult.wait()
    }

    func testSmallAndLargeResponsesAndPinnedIdentity() throws {
        let hostIdentity = try TLSIdentity()
        let delegate = TestServerDelegate()
        delegate.bigSize = 5_000_000
        let server = try startServer(delegate, identity: hostIdentity)
        let viewerIdentity = try TLSIdentity()
        let client = try HTTP3Client.connect(to: [server.localAddress], pinnedFingerprint: hostIdentity.fingerprint,
                                             identity: viewerIdentity, on: group.next()).wait()

        let (status, body, end) = try fetch(client, "/small")
        XCTAssertEqual(status, 200)
        XCTAssertEqual(String(decoding: body, as: UTF8.self), "hello")
        XCTAssertEqual(end, .complete)

        let (bigStatus, bigBody, bigEnd) = try fetch(client, "/big")
        XCTAssertEqual(bigStatus, 200)
        XCTAssertEqual(bigEnd, .complete)
        XCTAssertEqual(bigBody.count, 5_000_000)
        XCTAssertTrue(bigBody.enumerated().allSatisfy { $0.element == UInt8(truncatingIfNeeded: $0.offset) },
                      "body bytes arrived out of order or corrupted")

        let (missing, _, _) = try fetch(client, "/nothing")
        XCTAssertEqual(missing, 404)

        // The host saw the viewer's certificate: its id is the viewer fingerprint.
        let ids = try server.eventLoop.submit { delegate.connected }.wait()
        XCTAssertEqual(ids, [Fingerprint.shortID(viewerIdentity.fingerprint)])
        try client.eventLoop.flatSubmit { client.close() }.wait()
        try server.eventLoop.flatSubmit { server.shutdown() }.wait()
    }

    func testWrongPinIsRejectedAsIdentityMismatch() throws {
        let delegate = TestServerDelegate()
        let server = try startServer(delegate, identity: try TLSIdentity())
        let someoneElse = try TLSIdentity()
        XCTAssertThrowsError(try HTTP3Client.connect(to: [server.localAddress], pinnedFingerprint: someoneElse.fingerprint,
                                                     identity: try TLSIdentity(), on: group.next()).wait()) { error in
            guard case HTTP3ConnectError.identityMismatch = error else {
                return XCTFail("expected identityMismatch, got \(error)")
            }
        }
        let requests = try server.eventLoop.submit { delegate.requestsSeen }.wait()
        XCTAssertEqual(requests, [], "no request may reach a host that failed the pin check")
        try server.eventLoop.flatSubmit { server.shutdown() }.wait()
    }
}

extension LoopbackHTTP3Tests {
    /// A closed client (and its sockets and connect race) is freed.
    func testClosedClientIsReleased() throws {
        let identity = try TLSIdentity()
        let server = try startServer(TestServerDelegate(), identity: identity)
        weak var released: HTTP3Client?
        do {
            let client = try HTTP3Client.connect(to: [server.localAddress], pinnedFingerprint: identity.fingerprint,
                                                 identity: try TLSIdentity(), on: group.next()).wait()
            released = client
            try client.eventLoop.flatSubmit { client.close() }.wait()
        }
        // Let the event loop run the deferred releases.
        try group.next().submit {}.wait()
        try group.next().scheduleTask(in: .milliseconds(50)) {}.futureResult.wait()
        XCTAssertNil(released, "the client is kept alive by a reference cycle")
        try server.eventLoop.flatSubmit { server.shutdown() }.wait()
    }
}

/// Stands in for a TURN relay: QUIC datagrams for `carried` are handed to
/// the other socket as if they came from `appearsAs`; datagrams starting
/// with "STUN" are consumed and counted.
private final class FakeRelaySideChannel: DatagramSideChannel {
    let carried: SocketAddress
    let appearsAs: SocketAddress
    var target: SharedDatagramSocket?
    var relayed = 0
    var consumed: [String] = []

    init(carried: SocketAddress, appearsAs: SocketAddress) {
        self.carried = carried
        self.appearsAs = appearsAs
    }

    func socket(_ socket: SharedDatagramSocket, received datagram: UnsafeRawBufferPointer, from remote: SocketAddress) -> Bool {
        guard datagram.starts(with: Array("STUN".utf8)) else { return false }
        consumed.append(String(decoding: datagram, as: UTF8.self))
        return true
    }

    func socket(_ socket: SharedDatagramSocket, carries remote: SocketAddress) -> Bool { remote == carried }

    func socket(_ socket: SharedDatagramSocket, relay datagram: UnsafeRawBufferPointer, to remote: SocketAddress) {
        relayed += 1
        let bytes = Array(datagram), from = appearsAs
        guard let target else { return }
        // A later turn of the loop, like a real network hop (and no recursion).
        target.eventLoop.execute { target.inject(bytes, from: from) }
    }
}

final class SideChannelTests: XCTestCase {
    func testQUICRunsThroughASideChannelRelayAndNonQUICDatagramsAreConsumed() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        let hostIdentity = try TLSIdentity()
        let delegate = TestServerDelegate()
        delegate.bigSize = 1_000_000
        let server = try HTTP3Server.start(bindingTo: try SocketAddress(ipAddress: "127.0.0.1", port: 0),
                                           identity: hostIdentity, on: loop).wait()
        // The viewer dials the host's "relayed address"; the host sees the viewer's.
        let hostRelayed = try SocketAddress(ipAddress: "192.0.2.1", port: 4000)
        let viewerRelayed = try SocketAddress(ipAddress: "192.0.2.2", port: 5000)
        let hostSide = FakeRelaySideChannel(carried: viewerRelayed, appearsAs: hostRelayed)
        let viewerSide = FakeRelaySideChannel(carried: hostRelayed, appearsAs: viewerRelayed)
        try loop.submit {
            server.delegate = delegate
            server.socket.sideChannel = hostSide
        }.wait()
        let client = try HTTP3Client.connect(to: [hostRelayed], pinnedFingerprint: hostIdentity.fingerprint,
                                             identity: try TLSIdentity(), prepare: { socket in
            socket.sideChannel = viewerSide
            viewerSide.target = server.socket
            hostSide.target = socket
            return loop.makeSucceededVoidFuture()
        }, on: loop).wait()

        let promise = loop.makePromise(of: (Int, Int).self)
        try loop.submit {
            var status = 0, count = 0
            let request = try client.get("/big")
            request.onResponse = { status = $0.status }
            request.onData = { count += $0.count }
            request.onEnd = { _ in promise.succeed((status, count)) }
        }.wait()
        let (status, count) = try promise.futureResult.wait()
        XCTAssertEqual(status, 200)
        XCTAssertEqual(count, 1_000_000)
        try loop.submit {
            XCTAssertGreaterThan(viewerSide.relayed, 10, "the viewer's QUIC packets went through the side channel")
            XCTAssertGreaterThan(hostSide.relayed, 10, "the host's QUIC packets went through the side channel")
            XCTAssertEqual(server.peers.first?.remoteAddressDescription, "192.0.2.2:5000")
            // A non-QUIC datagram on the real socket goes to the side channel, not QUIC.
            client.sockets[0].send(Array("STUN hello".utf8), to: server.localAddress)
        }.wait()
        let deadline = Date().addingTimeInterval(5)
        while try loop.submit({ hostSide.consumed.isEmpty }).wait(), Date() < deadline { usleep(10_000) }
        try loop.submit {
            XCTAssertEqual(hostSide.consumed, ["STUN hello"])
            XCTAssertEqual(server.droppedDatagrams, 0)
        }.wait()
        try loop.flatSubmit { client.close() }.wait()
        try loop.flatSubmit { server.shutdown() }.wait()
    }
}

/// Addresses that come while the race runs (the rendezvous's part).
final class LateCandidatesTests: XCTestCase {
    var group: MultiThreadedEventLoopGroup!

    override func setUp() { group = MultiThreadedEventLoopGroup(numberOfThreads: 1) }
    override func tearDown() { try? group.syncShutdownGracefully() }

    func testARaceWithNoAddressYetConnectsToOneAddedLater() throws {
        let loop = group.next()
        let identity = try TLSIdentity(commonName: "late host")
        let server = try HTTP3Server.start(bindingTo: try SocketAddress(ipAddress: "127.0.0.1", port: 0),
                                           identity: identity, on: loop).wait()
        defer { _ = try? loop.flatSubmit { server.shutdown() }.wait() }
        let late = LateCandidates()
        let connecting = HTTP3Client.connect(to: [], pinnedFingerprint: identity.fingerprint,
                                             identity: try TLSIdentity(commonName: "viewer"), late: late, on: loop)
        final class Flag { var raised = false }
        let ended = Flag()
        connecting.whenComplete { _ in ended.raised = true }  // on the loop
        // Nothing to dial yet: the race must wait, not fail.
        try loop.scheduleTask(in: .milliseconds(300)) { }.futureResult.wait()
        XCTAssertFalse(try loop.submit { ended.raised }.wait(), "the race ended before any address came")
        try loop.submit { late.add(server.localAddress) }.wait()
        let client = try connecting.wait()
        XCTAssertEqual(try loop.submit { client.remoteAddress }.wait(), server.localAddress)
        _ = try? loop.flatSubmit { client.close() }.wait()
    }

    func testClosingWithNothingDialledFailsTheRaceAtOnce() throws {
        let loop = group.next()
        let late = LateCandidates()
        let connecting = HTTP3Client.connect(to: [], pinnedFingerprint: [UInt8](repeating: 0, count: 32),
                                             identity: try TLSIdentity(commonName: "viewer"), late: late, on: loop)
        try loop.scheduleTask(in: .milliseconds(100)) { }.futureResult.wait()
        try loop.submit { late.close() }.wait()
        XCTAssertThrowsError(try connecting.wait()) { error in
            guard case HTTP3ConnectError.unreachable = error else { return XCTFail("\(error)") }
        }
    }
}
