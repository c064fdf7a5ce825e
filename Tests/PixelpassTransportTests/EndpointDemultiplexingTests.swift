import NIOCore
import NIOEmbedded
import XCTest
@testable import PixelpassTransport

/// A side channel that claims datagrams starting with `prefix` and records them.
private final class ClaimingSideChannel: DatagramSideChannel {
    let prefix: [UInt8]
    var claimed: [[UInt8]] = []
    var carried: Set<SocketAddress> = []
    var relayed: [([UInt8], SocketAddress)] = []

    init(prefix: [UInt8]) { self.prefix = prefix }

    func socket(_ socket: SharedDatagramSocket, received datagram: UnsafeRawBufferPointer, from remote: SocketAddress) -> Bool {
        guard datagram.starts(with: prefix) else { return false }
        claimed.append(Array(datagram))
        return true
    }

    func socket(_ socket: SharedDatagramSocket, carries remote: SocketAddress) -> Bool { carried.contains(remote) }

    func socket(_ socket: SharedDatagramSocket, relay datagram: UnsafeRawBufferPointer, to remote: SocketAddress) {
        relayed.append((Array(datagram), remote))
    }
}

/// The endpoint's demultiplexing on one socket, with no real socket: an
/// `EmbeddedChannel` carries what arrives and what is written.
final class EndpointDemultiplexingTests: XCTestCase {
    private let serverAddress = try! SocketAddress(ipAddress: "127.0.0.1", port: 4433)
    private let clientAddress = try! SocketAddress(ipAddress: "127.0.0.1", port: 50000)
    private var channel: EmbeddedChannel!
    private var endpoint: QUICEndpoint!
    private var serverIdentity: TLSIdentity!

    override func setUpWithError() throws {
        channel = EmbeddedChannel()
        channel.localAddress = serverAddress
        serverIdentity = try TLSIdentity()
        endpoint = QUICEndpoint(eventLoop: channel.eventLoop, identity: serverIdentity, settings: QUICSettings(),
                                acceptsConnections: true)
        try channel.pipeline.syncOperations.addHandler(endpoint)
        endpoint.didBind(to: channel)
    }

    override func tearDown() {
        _ = try? channel.finish(acceptAlreadyClosed: true)
    }

    private func receive(_ bytes: [UInt8], from remote: SocketAddress) throws {
        var buffer = channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        try channel.writeInbound(AddressedEnvelope(remoteAddress: remote, data: buffer))
        channel.pipeline.fireChannelReadComplete()
    }

    private func written() throws -> [AddressedEnvelope<ByteBuffer>] {
        var out: [AddressedEnvelope<ByteBuffer>] = []
        while let envelope = try channel.readOutbound(as: AddressedEnvelope<ByteBuffer>.self) { out.append(envelope) }
        return out
    }

    /// A client's first flight, from a real client engine.
    private func clientInitial() throws -> [[UInt8]] {
        let client = try QUICConnection(clientTo: serverAddress, local: clientAddress, identity: TLSIdentity(),
                                        pinnedFingerprint: serverIdentity.fingerprint, settings: QUICSettings(),
                                        now: NIODeadline.now().uptimeNanoseconds)
        var datagrams: [[UInt8]] = []
        while let transmit = client.pollTransmit(now: NIODeadline.now().uptimeNanoseconds) {
            datagrams += transmit.datagrams.map { Array($0) }
        }
        return datagrams
    }

    func testAQUICInitialStartsAConnectionThatAnswersTheSender() throws {
        for datagram in try clientInitial() { try receive(datagram, from: clientAddress) }
        let replies = try written()
        XCTAssertFalse(replies.isEmpty, "the server's Initial and Handshake go back")
        XCTAssertTrue(replies.allSatisfy { $0.remoteAddress == clientAddress })
        XCTAssertEqual(endpoint.connections.count, 1)
        XCTAssertEqual(endpoint.droppedDatagrams, 0)
    }

    func testASideChannelsClaimNeverReachesQUIC() throws {
        let stun = ClaimingSideChannel(prefix: [0x00, 0x01])
        endpoint.shared.sideChannel = stun
        let binding: [UInt8] = [0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42] + [UInt8](repeating: 7, count: 12)
        try receive(binding, from: clientAddress)
        XCTAssertEqual(stun.claimed, [binding])
        XCTAssertEqual(endpoint.droppedDatagrams, 0)
        XCTAssertTrue(try written().isEmpty)
    }

    /// KRPC messages begin with `d`, a valid QUIC short-header first byte:
    /// a later side channel (the DHT's) claims them by parsing; unclaimed,
    /// they are unroutable QUIC and dropped.
    func testLaterSideChannelsAreAskedInOrderAndUnclaimedShortHeadersAreDropped() throws {
        let stun = ClaimingSideChannel(prefix: [0x00, 0x01])
        let dht = ClaimingSideChannel(prefix: Array("d1:".utf8))
        endpoint.shared.sideChannel = stun
        endpoint.shared.addSideChannel(dht)
        let ping = Array("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe".utf8)
        try receive(ping, from: clientAddress)
        XCTAssertEqual(dht.claimed, [ping])
        XCTAssertTrue(stun.claimed.isEmpty)

        let shortHeader: [UInt8] = [0x64] + [UInt8](repeating: 0x11, count: 40)
        try receive(shortHeader, from: clientAddress)
        XCTAssertEqual(endpoint.droppedDatagrams, 1, "no connection has that id")
        XCTAssertTrue(endpoint.connections.isEmpty)
    }

    func testGarbageIsCountedAndIgnored() throws {
        try receive([0xff], from: clientAddress)
        try receive([], from: clientAddress)
        XCTAssertEqual(endpoint.droppedDatagrams, 1, "an empty datagram is not even counted")
        XCTAssertTrue(endpoint.connections.isEmpty)
        XCTAssertTrue(try written().isEmpty)
    }

    func testQUICForARelayedRemoteGoesIntoTheSideChannelNotTheWire() throws {
        let turn = ClaimingSideChannel(prefix: [0x40])
        turn.carried = [clientAddress]
        endpoint.shared.sideChannel = turn
        for datagram in try clientInitial() {
            // Arrived through the relay: handed back in as QUIC.
            endpoint.shared.inject(datagram, from: clientAddress)
        }
        XCTAssertTrue(try written().isEmpty, "nothing goes on the wire to a relayed remote")
        XCTAssertFalse(turn.relayed.isEmpty)
        XCTAssertTrue(turn.relayed.allSatisfy { $0.1 == clientAddress })
        XCTAssertTrue(turn.claimed.isEmpty, "injected datagrams are QUIC's even if they look like ChannelData")
    }

    func testADroppedSideChannelIsForgotten() throws {
        var stun: ClaimingSideChannel? = ClaimingSideChannel(prefix: [0x00])
        endpoint.shared.sideChannel = stun
        stun = nil
        XCTAssertNil(endpoint.shared.sideChannel)
        try receive([0x00, 0x01], from: clientAddress)
        XCTAssertEqual(endpoint.droppedDatagrams, 1)
    }
}
