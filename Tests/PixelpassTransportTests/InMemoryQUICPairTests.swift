import CNgtcp2
import NIOCore
import XCTest
@testable import PixelpassTransport

/// Two QUIC engines wired back to back with no sockets and a fake clock:
/// whatever one sends is queued for the other. Shows the engine does no I/O
/// and reads no clock of its own.
private final class Wire: QUICConnectionOwner {
    var now: UInt64 = 1_000_000_000
    let name: String
    weak var peer: Wire?
    var connection: QUICConnection?
    var inbox: [([UInt8], SocketAddress)] = []
    var address: SocketAddress
    var acceptsNew: Bool
    var identity: TLSIdentity
    var handshakes = 0
    var closeReasons: [QUICCloseReason] = []
    var drop: (([UInt8]) -> Bool)?

    init(name: String, address: SocketAddress, identity: TLSIdentity, acceptsNew: Bool) {
        self.name = name
        self.address = address
        self.identity = identity
        self.acceptsNew = acceptsNew
    }

    func send(_ packets: UnsafeRawBufferPointer, to address: SocketAddress, segmentSize: Int?, from connection: QUICConnection) {
        let size = segmentSize ?? packets.count
        var offset = 0
        while offset < packets.count {
            let end = min(offset + size, packets.count)
            let datagram = Array(packets[offset..<end])
            if drop?(datagram) != true { peer?.inbox.append((datagram, self.address)) }
            offset = end
        }
    }

    func connection(_ connection: QUICConnection, issued id: ConnectionID) {}
    func connection(_ connection: QUICConnection, retired id: ConnectionID) {}
    func connectionNeedsWrite(_ connection: QUICConnection) {}
    func connectionHandshakeCompleted(_ connection: QUICConnection) { handshakes += 1 }
    func connection(_ connection: QUICConnection, closedWith reason: QUICCloseReason) { closeReasons.append(reason) }

    /// Delivers queued datagrams; a server accepts the first Initial.
    func deliver() {
        let batch = inbox
        inbox.removeAll()
        for (datagram, from) in batch {
            if connection == nil && acceptsNew {
                var header = ngtcp2_pkt_hd()
                guard ngtcp2_accept(&header, datagram, datagram.count) == 0 else { continue }
                connection = try! QUICConnection(serverFor: header, local: address, remote: from,
                                                 identity: identity, settings: QUICSettings(), now: now, owner: self)
            }
            datagram.withUnsafeBytes { connection?.receive($0, from: from, now: now) }
        }
        connection?.write(now: now)
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
        client.connection = try QUICConnection(clientTo: server.address, local: client.address, identity: client.identity,
                                               pinnedFingerprint: pin ?? serverIdentity.fingerprint,
                                               settings: QUICSettings(), now: client.now, owner: client)
        client.connection!.write(now: client.now)
        return (client, server, serverIdentity)
    }

    /// Delivers datagrams both ways; when nothing is in flight, jumps the
    /// shared fake clock to the next timer (pacing, ACK delay, loss
    /// recovery) and runs it, as the endpoint's scheduled task would.
    private func pump(_ client: Wire, _ server: Wire, rounds: Int = 200) {
        for _ in 0..<rounds {
            server.deliver()
            client.deliver()
            if server.inbox.isEmpty && client.inbox.isEmpty {
                let next = [client, server].compactMap { $0.connection?.expiry }.min() ?? .max
                guard next != .max else { return }
                let now = max(client.now, min(next, client.now + 50_000_000))
                client.now = now
                server.now = now
                for wire in [client, server] {
                    if let connection = wire.connection, connection.expiry <= now {
                        connection.handleExpiry(now: now)
                    }
                }
            }
            if client.handshakes > 0 && server.handshakes > 0 && server.inbox.isEmpty && client.inbox.isEmpty {
                return
            }
        }
    }

    func testHandshakeCompletesAndBothSidesSeeEachOthersCertificates() throws {
        let (client, server, serverIdentity) = try makePair()
        pump(client, server)
        XCTAssertEqual(client.handshakes, 1)
        XCTAssertEqual(server.handshakes, 1)
        XCTAssertEqual(client.connection?.peerFingerprint, serverIdentity.fingerprint)
        XCTAssertEqual(server.connection?.peerFingerprint, client.identity.fingerprint)
        XCTAssertNotNil(client.connection?.http3, "HTTP/3 session set up on the client")
        XCTAssertNotNil(server.connection?.http3, "HTTP/3 session set up on the server")
    }

    func testWrongPinClosesWithIdentityMismatch() throws {
        let (client, server, _) = try makePair(pin: [UInt8](repeating: 7, count: 32))
        pump(client, server)
        XCTAssertEqual(client.closeReasons, [.identityMismatch])
        XCTAssertEqual(server.handshakes, 0)
    }

    func testSilentPeerEndsInIdleTimeoutDrivenByTheInjectedClock() throws {
        let (client, server, _) = try makePair()
        pump(client, server)
        // From now on nothing reaches the client.
        server.drop = { _ in true }
        var elapsed: UInt64 = 0
        while client.closeReasons.isEmpty && elapsed < 60_000_000_000 {
            let expiry = client.connection!.expiry
            XCTAssertNotEqual(expiry, .max, "a live connection always has a timer")
            client.now = max(client.now, expiry)
            elapsed = client.now
            client.connection!.handleExpiry(now: client.now)
            client.inbox.removeAll()
        }
        XCTAssertEqual(client.closeReasons, [.idleTimeout])
    }

    func testApplicationCloseReachesThePeerAsPeerClosed() throws {
        let (client, server, _) = try makePair()
        pump(client, server)
        server.connection!.close(applicationError: HTTP3ErrorCode.noError, now: server.now)
        client.deliver()
        XCTAssertEqual(server.closeReasons, [.local])
        XCTAssertEqual(client.closeReasons, [.peerClosed(applicationCode: HTTP3ErrorCode.noError)])
    }

    func testThePeerLearnsTheApplicationCodeItWasClosedWith() throws {
        let (client, server, _) = try makePair()
        pump(client, server)
        server.connection!.close(applicationError: 0x7078_0001, now: server.now)
        client.deliver()
        XCTAssertEqual(client.closeReasons, [.peerClosed(applicationCode: 0x7078_0001)])
    }
}
