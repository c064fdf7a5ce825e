import NIOCore
import NIOEmbedded
import NIOHTTP1
import XCTest
@testable import PixelpassCore

/// The relay's limits as its connections enforce them: several player
/// connections (each an `EmbeddedChannel` with its own clock) share one gate.
final class RelayLimitsTests: XCTestCase {
    private let opener = FakeOpener()
    private var gate = RelayGate(token: RelayToken(text: "t0ken"))
    private var channels: [EmbeddedChannel] = []

    override func tearDownWithError() throws {
        for channel in channels { _ = try? channel.finish() }
        try super.tearDownWithError()
    }

    private func connect() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
        try channel.pipeline.syncOperations.addHandler(RelayConnectionHandler(opener: opener, gate: gate))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40000)).wait()
        channels.append(channel)
        return channel
    }

    private func received(_ channel: EmbeddedChannel) throws -> String {
        var text = ""
        while var buffer = try channel.readOutbound(as: ByteBuffer.self) {
            text += buffer.readString(length: buffer.readableBytes) ?? ""
        }
        return text
    }

    private func get(_ channel: EmbeddedChannel, _ path: String = "/t0ken/") throws {
        try channel.writeInbound(ByteBuffer(string: "GET \(path) HTTP/1.1\r\n\r\n"))
    }

    func testAHeadStillIncompleteAfterTheHeaderTimeoutIsClosed() throws {
        let channel = try connect()
        try channel.writeInbound(ByteBuffer(string: "GET /t0ken/ HTTP/1.1\r\nHost: 127"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        try channel.writeInbound(ByteBuffer(string: ".0.0.1\r\nX-a: b\r\n"))
        XCTAssertTrue(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        XCTAssertFalse(channel.isActive, "slowloris gets 5 s in all")
        XCTAssertEqual(gate.admission.connections.taken, 0)
        XCTAssertTrue(opener.opened.isEmpty)
    }

    func testAConnectionThatSendsNothingIsClosedAtTheHeaderTimeout() throws {
        let channel = try connect()
        XCTAssertEqual(gate.admission.connections.taken, 1)
        channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        XCTAssertFalse(channel.isActive)
        XCTAssertEqual(gate.admission.connections.taken, 0)
    }

    func testAHostThatNeverAnswersFreesTheSlotAfterTheIdleTimeout() throws {
        let channel = try connect()
        try get(channel)
        XCTAssertEqual(gate.admission.streams.taken, 1)
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        XCTAssertTrue(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        XCTAssertFalse(channel.isActive)
        XCTAssertTrue(opener.opened[0].cancelled)
        XCTAssertEqual(gate.admission.streams.taken, 0)
        XCTAssertEqual(gate.admission.connections.taken, 0)
    }

    func testAStreamingPlayerIsNeverTimedOut() throws {
        let channel = try connect()
        try get(channel)
        opener.opened[0].respond(status: 200)
        opener.opened[0].send([0x47])
        channel.embeddedEventLoop.advanceTime(by: .minutes(10))
        XCTAssertTrue(channel.isActive)
        XCTAssertFalse(opener.opened[0].cancelled)
    }

    func testAtMostFourStreamsAreOpenedAndTheFifthGetsA503AtOnce() throws {
        let players = try (0..<4).map { _ in try connect() }
        for player in players { try get(player) }
        XCTAssertEqual(opener.opened.count, 4)
        let fifth = try connect()
        try get(fifth)
        let text = try received(fifth)
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"), text)
        XCTAssertTrue(text.contains("Too many players open"), text)
        XCTAssertEqual(opener.opened.count, 4, "the host never sees the fifth")
        XCTAssertFalse(fifth.isActive)

        try players[0].close().wait()
        let sixth = try connect()
        try get(sixth)
        XCTAssertEqual(opener.opened.count, 5, "a closed player's slot is free again")
    }

    func testRequestsWithoutTheTokenTakeNoStreamSlot() throws {
        for _ in 0..<10 {
            let channel = try connect()
            try get(channel, "/")
            XCTAssertTrue(try received(channel).hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        }
        XCTAssertEqual(gate.admission.streams.taken, 0)
        XCTAssertEqual(gate.admission.connections.taken, 0)
        XCTAssertTrue(opener.opened.isEmpty)
    }

    func testConnectionsBeyondTheCapAreAnswered503AndClosed() throws {
        var limits = RelayLimits()
        limits.maxConnections = 3
        gate = RelayGate(token: RelayToken(text: "t0ken"), limits: limits)
        let open = try (0..<3).map { _ in try connect() }
        let extra = try connect()
        XCTAssertTrue(try received(extra).hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"))
        XCTAssertFalse(extra.isActive)
        XCTAssertEqual(gate.admission.connections.taken, 3)
        try open[0].close().wait()
        let next = try connect()
        XCTAssertTrue(next.isActive)
        XCTAssertEqual(gate.admission.connections.taken, 3)
    }
}
