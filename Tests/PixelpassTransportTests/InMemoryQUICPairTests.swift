import NIOCore
import XCTest
@testable import PixelpassTransport
import PixelpassBytes

/// One side of two QUIC engines wired back to back with no sockets and a
/// fake clock: whatever one transmits is queued for the other. Shows the
/// engine does no I/O and reads no clock of its own, and that HTTP/3 runs on
/// it through the stream interface alone.
private final class Wire: HTTP3SessionDelegate {
    var now: UInt64 = 1_000_000_000
    let name: String
    weak var peer: Wire?
    var connection: QUICConnection?
    var session: HTTP3Session?
    var inbox: [([UInt8], SocketAddress)] = []
    var address: SocketAddress
    var acceptsNew: Bool
    var identity: TLSIdentity
    var handshakes = 0
    var closeReasons: [QUICCloseReason] = []
    var drop: (([UInt8]) -> Bool)?
    /// Server side: how requests are answered.
    var respond: ((HTTP3Responder) -> Void)?

    init(name: String, address: SocketAddress, identity: TLSIdentity, acceptsNew: Bool) {
        self.name = name
        self.address = address
        self.identity = identity
        self.acceptsNew = acceptsNew
    }

    func attach(_ connection: QUICConnection, server: Bool) throws {
        let session = try HTTP3Session(streams: connection, server: server,
                                       peer: HTTP3Peer(connection: connection, endpoint: nil),
                                       maxClientStreams: QUICSettings().maxConcurrentRequests)
        session.delegate = self
        connection.application = session
        self.connection = connection
        self.session = session
    }

    func session(_ session: HTTP3Session, didReceive request: HTTP3Responder) { respond?(request) }

    /// Drains the engine's events, then one send round onto the wire.
    func poll() {
        guard let connection else { return }
        while let event = connection.pollEvent() {
            switch event {
            case .handshakeCompleted: handshakes += 1
            case .closed(let reason): closeReasons.append(reason)
            case .connectionIDIssued, .connectionIDRetired: break
            }
        }
        while let transmit = connection.pollTransmit(now: now) {
            for datagram in transmit.datagrams where drop?(Array(datagram)) != true {
                peer?.inbox.append((Array(datagram), address))
            }
        }
        while let event = connection.pollEvent() {
            if case .closed(let reason) = event { closeReasons.append(reason) }
        }
    }

    /// Delivers queued datagrams; a server accepts the first Initial.
    func deliver() {
        let batch = inbox
        inbox.removeAll()
        for (datagram, from) in batch {
            datagram.withUnsafeBytes { bytes in
                if connection == nil && acceptsNew {
                    guard let initial = QUICPacketHeader.acceptInitial(bytes) else { return }
                    try! attach(QUICConnection(serverFor: initial, local: address, remote: from,
                                               identity: identity, settings: QUICSettings(), now: now), server: true)
                }
                connection?.handle(datagram: bytes, from: from, now: now)
            }
        }
        poll()
    }
}

final class InMemoryQUICPairTests: XCTestCase {
    private func makePair(pin: [UInt8]? = nil) throws -> (client: Wire, server: Wire, serverIdentity: TLSIdentity) {
        let serverIdentity = try TLSIdentity()
        let server = Wire(name: "server", address: try SocketAddress(ipAddress: "10.0.0.1", port: 443),
                          identity: serverIdentity, acceptsNew: true)
        let client = Wire(name: "client", address: try SocketAddress(ipAddress: "10.0.0.2", port: 5000),
                          identity: try TLSIdentity(), acceptsNew: false)
        client.peer = server
        server.peer = client
        try client.attach(QUICConnection(clientTo: server.address, local: client.address, identity: client.identity,
                                         pinnedFingerprint: pin ?? serverIdentity.fingerprint,
                                         settings: QUICSettings(), now: client.now), server: false)
        client.poll()
        return (client, server, serverIdentity)
    }

    /// Delivers datagrams both ways; when nothing is in flight, jumps the
    /// shared fake clock to the next timer (pacing, ACK delay, loss
    /// recovery) and runs it, as the endpoint's scheduled task would.
    private func pump(_ client: Wire, _ server: Wire, rounds: Int = 200, until done: () -> Bool = { false }) {
        for _ in 0..<rounds {
            server.deliver()
            client.deliver()
            if server.inbox.isEmpty && client.inbox.isEmpty {
                let next = [client, server].compactMap { $0.connection?.pollTimeout() }.min()
                guard let next else { return }
                let now = max(client.now, min(next, client.now + 50_000_000))
                client.now = now
                server.now = now
                for wire in [client, server] {
                    if let connection = wire.connection, let expiry = connection.pollTimeout(), expiry <= now {
                        connection.handleTimeout(now: now)
                        wire.poll()
                    }
                }
            }
            if done() { return }
            if client.handshakes > 0 && server.handshakes > 0 && server.inbox.isEmpty && client.inbox.isEmpty
                && done() { return }
        }
    }

    private func pumpHandshake(_ client: Wire, _ server: Wire) {
        pump(client, server) { client.handshakes > 0 && server.handshakes > 0 && server.inbox.isEmpty && client.inbox.isEmpty }
    }

    func testHandshakeCompletesAndBothSidesSeeEachOthersCertificates() throws {
        let (client, server, serverIdentity) = try makePair()
        pumpHandshake(client, server)
        XCTAssertEqual(client.handshakes, 1)
        XCTAssertEqual(server.handshakes, 1)
        XCTAssertEqual(client.connection?.peerFingerprint, serverIdentity.fingerprint)
        XCTAssertEqual(server.connection?.peerFingerprint, client.identity.fingerprint)
        XCTAssertEqual(client.session?.streamsAreBound, true, "HTTP/3 session set up on the client")
        XCTAssertEqual(server.session?.streamsAreBound, true, "HTTP/3 session set up on the server")
    }

    func testWrongPinClosesWithIdentityMismatch() throws {
        let (client, server, _) = try makePair(pin: [UInt8](repeating: 7, count: 32))
        pumpHandshake(client, server)
        XCTAssertEqual(client.closeReasons, [.identityMismatch])
        XCTAssertEqual(server.handshakes, 0)
    }

    func testSilentPeerEndsInIdleTimeoutDrivenByTheInjectedClock() throws {
        let (client, server, _) = try makePair()
        pumpHandshake(client, server)
        // From now on nothing reaches the client.
        server.drop = { _ in true }
        var elapsed: UInt64 = 0
        while client.closeReasons.isEmpty && elapsed < 60_000_000_000 {
            let expiry = client.connection!.pollTimeout()
            XCTAssertNotNil(expiry, "a live connection always has a timer")
            client.now = max(client.now, expiry ?? client.now)
            elapsed = client.now
            client.connection!.handleTimeout(now: client.now)
            client.poll()
            client.inbox.removeAll()
        }
        XCTAssertEqual(client.closeReasons, [.idleTimeout])
    }

    func testApplicationCloseReachesThePeerAsPeerClosed() throws {
        let (client, server, _) = try makePair()
        pumpHandshake(client, server)
        server.connection!.close(applicationError: HTTP3ErrorCode.noError, now: server.now)
        server.poll()
        client.deliver()
        XCTAssertEqual(server.closeReasons, [.local])
        XCTAssertEqual(client.closeReasons, [.peerClosed(applicationCode: HTTP3ErrorCode.noError)])
    }

    func testThePeerLearnsTheApplicationCodeItWasClosedWith() throws {
        let (client, server, _) = try makePair()
        pumpHandshake(client, server)
        server.connection!.close(applicationError: 0x7078_0001, now: server.now)
        server.poll()
        client.deliver()
        XCTAssertEqual(client.closeReasons, [.peerClosed(applicationCode: 0x7078_0001)])
    }

    func testAClosedConnectionTransmitsItsCloseOnceAndThenNothing() throws {
        let (client, server, _) = try makePair()
        pumpHandshake(client, server)
        let connection = server.connection!
        connection.close(applicationError: HTTP3ErrorCode.noError, now: server.now)
        XCTAssertNotNil(connection.pollTransmit(now: server.now), "the CONNECTION_CLOSE")
        XCTAssertNil(connection.pollTransmit(now: server.now))
        XCTAssertNil(connection.pollTransmit(now: server.now))
        XCTAssertNil(connection.pollTimeout(), "no timer after close")
    }

    /// A whole HTTP/3 request and a multi-megabyte response over two engines
    /// and no socket: flow-control credit must come back for it to finish
    /// (the body is larger than the initial stream window).
    func testAnHTTP3ResponseLargerThanTheReceiveWindowArrivesWhole() throws {
        let (client, server, _) = try makePair()
        let size = 5 * 1024 * 1024
        server.respond = { responder in
            responder.startStreaming(status: 200, headers: [("x-test", "yes")])
            var sent = 0
            while sent < size {
                let n = min(256 * 1024, size - sent)
                responder.write(SharedBytes((0..<n).map { UInt8(truncatingIfNeeded: sent + $0) }))
                sent += n
            }
            responder.finish()
        }
        pumpHandshake(client, server)
        let request = try client.session!.submitRequest(method: "GET", authority: "test", path: "/big", headers: [])
        var status = 0
        var header: String?
        var body: [UInt8] = []
        var end: HTTP3RequestEnd?
        request.onResponse = { head in
            status = head.status
            header = head.headers.first { $0.0 == "x-test" }?.1
        }
        request.onData = { body.append(contentsOf: $0) }
        request.onEnd = { end = $0 }
        client.poll()
        pump(client, server, rounds: 20_000) { end != nil }
        XCTAssertEqual(status, 200)
        XCTAssertEqual(header, "yes")
        XCTAssertEqual(end, .complete)
        XCTAssertEqual(body.count, size)
        XCTAssertTrue(body.enumerated().allSatisfy { $0.element == UInt8(truncatingIfNeeded: $0.offset) },
                      "the body arrives in order and intact")
    }

    /// While a request is paused its stream credit is withheld, so the
    /// server stops at the window; resuming lets the rest through.
    func testAPausedRequestStopsTheSenderAtTheStreamWindow() throws {
        let (client, server, _) = try makePair()
        let size = 6 * 1024 * 1024
        var responder: HTTP3Responder?
        server.respond = { r in
            responder = r
            r.startStreaming(status: 200)
            r.write(SharedBytes([UInt8](repeating: 1, count: size)))
            r.finish()
        }
        pumpHandshake(client, server)
        let request = try client.session!.submitRequest(method: "GET", authority: "test", path: "/", headers: [])
        var received = 0
        var end: HTTP3RequestEnd?
        request.pause()
        request.onData = { received += $0.count }
        request.onEnd = { end = $0 }
        client.poll()
        pump(client, server, rounds: 3_000)
        let window = Int(QUICSettings().initialStreamWindow)
        XCTAssertNil(end)
        XCTAssertLessThanOrEqual(received, window, "no more than one stream window while paused")
        XCTAssertGreaterThan(responder?.bufferedBytes ?? 0, 0, "the server holds the rest")
        request.resume()
        client.poll()
        pump(client, server, rounds: 20_000) { end != nil }
        XCTAssertEqual(end, .complete)
        XCTAssertEqual(received, size)
    }
}
