import NIOCore
import NIOEmbedded
import NIOHTTP1
import XCTest
@testable import PixelpassCore

/// One player connection to the viewer's local relay, on an `EmbeddedChannel`
/// with the same decoder the relay installs, and a host stream the test drives.
final class LocalRelayTests: XCTestCase {
    private var opener: FakeOpener!
    private var handler: RelayConnectionHandler!
    private var channel: EmbeddedChannel!
    private var finished = 0
    private var gate = RelayGate(token: RelayToken(text: "t0ken"))

    override func setUpWithError() throws {
        try super.setUpWithError()
        try connect()
    }

    /// A fresh player connection.
    private func connect() throws {
        opener = FakeOpener()
        handler = RelayConnectionHandler(opener: opener, gate: gate)
        handler.onFinished = { [unowned self] in self.finished += 1 }
        channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40000)).wait()
    }

    override func tearDownWithError() throws {
        _ = try? channel.finish()
        try super.tearDownWithError()
    }

    private func send(_ request: String) throws {
        try channel.writeInbound(ByteBuffer(string: request))
    }

    /// Everything the player has been sent so far.
    private func received() throws -> String {
        var text = ""
        while var buffer = try channel.readOutbound(as: ByteBuffer.self) {
            text += buffer.readString(length: buffer.readableBytes) ?? ""
        }
        return text
    }

    private let streamHeader = "HTTP/1.1 200 OK\r\nContent-Type: video/mp2t\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"

    func testAGetOfTheStreamRelaysTheHostsBodyUntilItEnds() throws {
        try send("GET /t0ken/stream.ts?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        let upstream = try XCTUnwrap(opener.opened.first)
        XCTAssertEqual(try received(), "", "nothing before the host answers")
        upstream.respond(status: 200)
        upstream.send([0x47, 1, 2])
        upstream.send([0x47, 3])
        XCTAssertEqual(Array(try received().utf8), Array(streamHeader.utf8) + [0x47, 1, 2, 0x47, 3])
        XCTAssertEqual(opener.relayedBytes, 5)
        XCTAssertTrue(channel.isActive)
        upstream.end()
        XCTAssertFalse(channel.isActive, "the body is close-delimited: the host's end closes the connection")
        XCTAssertEqual(finished, 1)
        XCTAssertFalse(upstream.cancelled)
    }

    func testEveryStreamPathIsServed() throws {
        for path in ["/t0ken", "/t0ken/", "/t0ken/stream", "/t0ken/stream.ts"] {
            _ = try? channel.finish()
            try connect()
            try send("GET \(path) HTTP/1.1\r\n\r\n")
            XCTAssertEqual(opener.opened.count, 1, path)
        }
    }

    func testUnknownPathsGetA404AndNoStream() throws {
        for path in ["/favicon.ico", "/t0ken/favicon.ico", "/", "/stream.ts", "/t0ke/", "/t0kenx/", "/T0KEN/", "//t0ken/", "*"] {
            _ = try? channel.finish()
            try connect()
            try send("GET \(path) HTTP/1.1\r\n\r\n")
            let text = try received()
            XCTAssertTrue(text.hasPrefix("HTTP/1.1 404 Not Found\r\n"), "\(path): \(text)")
            XCTAssertFalse(text.contains("t0ken"), "a 404 must not tell where the stream is")
            XCTAssertTrue(opener.opened.isEmpty, path)
            XCTAssertFalse(channel.isActive, path)
        }
    }

    func testHeadGetsTheHeadersOnlyAndOpensNoStream() throws {
        try send("HEAD /t0ken/ HTTP/1.1\r\n\r\n")
        XCTAssertEqual(try received(), streamHeader)
        XCTAssertTrue(opener.opened.isEmpty, "a HEAD costs the host nothing")
        XCTAssertFalse(channel.isActive)
    }

    func testOtherMethodsAreRefused() throws {
        try send("POST /t0ken/ HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
        XCTAssertTrue(try received().hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n"))
        XCTAssertTrue(opener.opened.isEmpty)
    }

    func testAPlayerGoingAwayMidStreamCancelsTheHostsStream() throws {
        try send("GET /t0ken/ HTTP/1.1\r\n\r\n")
        let upstream = try XCTUnwrap(opener.opened.first)
        upstream.respond(status: 200)
        upstream.send([0x47])
        _ = try received()
        try channel.close().wait()
        XCTAssertTrue(upstream.cancelled, "the host must stop sending to nobody")
        XCTAssertEqual(finished, 1)
        upstream.send([0x47, 9])
        XCTAssertNil(try channel.readOutbound(as: ByteBuffer.self), "late bytes go nowhere")
        XCTAssertEqual(opener.relayedBytes, 1)
    }

    func testAFullHostIsA503() throws {
        try send("GET /t0ken/ HTTP/1.1\r\n\r\n")
        opener.opened[0].respond(status: 503)
        let text = try received()
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"), text)
        XCTAssertTrue(text.hasSuffix("The host is full\n"), text)
    }

    func testNoHostConnectionIsA502() throws {
        opener.failure = true
        try send("GET /t0ken/ HTTP/1.1\r\n\r\n")
        XCTAssertTrue(try received().hasPrefix("HTTP/1.1 502 Bad Gateway\r\n"))
    }

    func testASlowPlayerPausesTheHostsStream() throws {
        try send("GET /t0ken/ HTTP/1.1\r\n\r\n")
        let upstream = try XCTUnwrap(opener.opened.first)
        upstream.respond(status: 200)
        channel.isWritable = false
        upstream.send([0x47])
        XCTAssertEqual(upstream.pauses, 1)
        channel.isWritable = true
        channel.pipeline.fireChannelWritabilityChanged()
        XCTAssertEqual(upstream.resumes, 1)
    }
}
