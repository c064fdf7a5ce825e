import XCTest
import PixelpassNAT

final class TURNStreamFramerTests: XCTestCase {
    /// A real STUN message (a Binding request with a SOFTWARE attribute).
    private let stun: [UInt8] = STUNMessage(method: .binding, messageClass: .request,
                                             transactionID: STUNTransactionID(bytes: [UInt8](1...12))!,
                                             attributes: [.software("pixelpass-test")]).encode(fingerprint: true)
    private let channelData = TURNChannelData(channel: 0x4001, payload: Array("hello".utf8))

    private func drain(_ framer: inout TURNStreamFramer) throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        while let message = try framer.next() { out.append(message) }
        return out
    }

    func testByteByByteReadsGiveEachMessageOnceWhole() throws {
        let stream = stun + channelData.encode(padded: true) + stun
        var framer = TURNStreamFramer()
        var out: [[UInt8]] = []
        for byte in stream {
            framer.append([byte])
            out += try drain(&framer)
        }
        XCTAssertEqual(out, [stun, channelData.encode(), stun])
        XCTAssertEqual(framer.bufferedCount, 0)
    }

    func testSeveralMessagesInOneRead() throws {
        let empty = TURNChannelData(channel: 0x4FFF, payload: [])
        let four = TURNChannelData(channel: 0x4002, payload: [1, 2, 3, 4])
        var framer = TURNStreamFramer()
        framer.append(channelData.encode(padded: true) + empty.encode(padded: true) + stun + four.encode(padded: true))
        XCTAssertEqual(try drain(&framer), [channelData.encode(), empty.encode(), stun, four.encode()])
    }

    func testChannelDataWaitsForItsPadding() throws {
        var framer = TURNStreamFramer()
        let padded = channelData.encode(padded: true)
        XCTAssertEqual(padded.count, 12)
        framer.append(padded.prefix(9))  // the payload is complete, the padding is not
        XCTAssertNil(try framer.next())
        framer.append(padded.suffix(3) + stun.prefix(5))
        XCTAssertEqual(try framer.next(), channelData.encode())
        XCTAssertNil(try framer.next())
        XCTAssertEqual(framer.bufferedCount, 5)
    }

    func testGarbageFailsAndStaysFailed() {
        var framer = TURNStreamFramer()
        framer.append([0x80, 0, 0, 0] + stun)
        XCTAssertThrowsError(try framer.next()) { XCTAssertEqual($0 as? TURNStreamFramer.FramingError, .garbage(firstByte: 0x80)) }
        framer.append(stun)
        XCTAssertThrowsError(try framer.next()) { XCTAssertEqual($0 as? TURNStreamFramer.FramingError, .garbage(firstByte: 0x80)) }
        // A QUIC long header (0xC0…) on the stream is garbage too.
        var quic = TURNStreamFramer()
        quic.append([0xC3, 0, 0, 1])
        XCTAssertThrowsError(try quic.next()) { XCTAssertEqual($0 as? TURNStreamFramer.FramingError, .garbage(firstByte: 0xC3)) }
    }

    func testSTUNLengthMustBeAMultipleOfFour() {
        var framer = TURNStreamFramer()
        var bad = stun
        bad[3] = 0x05
        framer.append(bad)
        XCTAssertThrowsError(try framer.next()) { XCTAssertEqual($0 as? TURNStreamFramer.FramingError, .badSTUNLength(5)) }
    }

    func testOversizeIsRejectedBeforeItArrives() {
        var framer = TURNStreamFramer(maximumMessageSize: 64)
        framer.append([0x40, 0x00, 0x00, 0x3D])  // 61 bytes of payload: 4 + 61 + 3 = 68
        XCTAssertThrowsError(try framer.next()) { XCTAssertEqual($0 as? TURNStreamFramer.FramingError, .oversize(length: 68, limit: 64)) }
        var stunFramer = TURNStreamFramer(maximumMessageSize: 64)
        stunFramer.append([0x01, 0x01, 0x00, 0x30])  // 20 + 48
        XCTAssertThrowsError(try stunFramer.next()) { XCTAssertEqual($0 as? TURNStreamFramer.FramingError, .oversize(length: 68, limit: 64)) }
    }

    func testStreamEncodingPadsOnlyChannelData() {
        XCTAssertEqual(TURNStreamFramer.streamEncoding(of: channelData.encode()), channelData.encode(padded: true))
        XCTAssertEqual(TURNStreamFramer.streamEncoding(of: stun), stun)
        let aligned = TURNChannelData(channel: 0x4001, payload: [1, 2, 3, 4]).encode()
        XCTAssertEqual(TURNStreamFramer.streamEncoding(of: aligned), aligned)
    }

    /// Over a stream a request goes out once and fails at Ti = 39.5 s.
    func testOverAStreamTheClientSendsOnceAndGivesUpAtTi() {
        let t0: UInt64 = 1_000 * sec
        var client = TURNClient(configuration: .init(server: address("192.0.2.1:5349"), credentials: FakeTURNServer().credentials,
                                                     retransmission: .reliable),
                                random: SeededGenerator(seed: 1))
        let start = client.start(now: t0)
        XCTAssertEqual(start.toServer.count, 1)
        XCTAssertTrue(start.contains(.setTimer(at: t0 + 39_500 * ms)), "\(start)")
        XCTAssertEqual(client.timerFired(now: t0 + 500 * ms).toServer, [], "no resend over a stream")
        let end = client.timerFired(now: t0 + 39_500 * ms)
        XCTAssertEqual(end.toServer, [])
        XCTAssertEqual(end.outcomes, [.failed(.noResponse(request: "Allocate", requestsSent: 1))])
    }
}
