import CNghttp3
import XCTest
@testable import PixelpassTransport
import PixelpassBytes

final class OutgoingBodyTests: XCTestCase {
    private let vecs = UnsafeMutablePointer<nghttp3_vec>.allocate(capacity: 16)
    deinit { vecs.deallocate() }

    func testChunksAreHandedOutOnceAndReleasedWhenAcknowledged() {
        var body = OutgoingBody()
        body.append(SharedBytes([1, 2, 3]))
        body.append(SharedBytes([4, 5]))
        XCTAssertEqual(body.unsentBytes, 5)

        let (count, eof) = body.handOut(into: vecs, capacity: 16)
        XCTAssertEqual(count, 2)
        XCTAssertFalse(eof)
        XCTAssertEqual(vecs[0].len, 3)
        XCTAssertEqual(vecs[0].base[0], 1)
        XCTAssertEqual(vecs[1].base[1], 5)
        XCTAssertEqual(body.unsentBytes, 0)
        XCTAssertEqual(body.unackedBytes, 5)
        XCTAssertEqual(body.handOut(into: vecs, capacity: 16).count, 0, "nothing is handed out twice")

        body.acknowledge(2)
        XCTAssertEqual(body.unackedBytes, 3)
        body.acknowledge(3)
        XCTAssertEqual(body.bufferedBytes, 0)
    }

    func testFinishReportsEndOfBodyAfterTheLastChunk() {
        var body = OutgoingBody()
        body.append(SharedBytes([9]))
        body.finish()
        let (count, eof) = body.handOut(into: vecs, capacity: 16)
        XCTAssertEqual(count, 1)
        XCTAssertTrue(eof)
    }

    func testHandOutRespectsCapacity() {
        var body = OutgoingBody()
        for i in 0..<5 { body.append(SharedBytes([UInt8(i)])) }
        XCTAssertEqual(body.handOut(into: vecs, capacity: 2).count, 2)
        XCTAssertEqual(body.unsentBytes, 3)
        XCTAssertEqual(body.handOut(into: vecs, capacity: 16).count, 3)
    }

    func testDropUnsentKeepsInFlightBytes() {
        var body = OutgoingBody()
        body.append(SharedBytes([1, 1]))
        _ = body.handOut(into: vecs, capacity: 16)
        body.append(SharedBytes([2, 2, 2]))
        XCTAssertEqual(body.dropUnsent(), 3)
        XCTAssertEqual(body.unsentBytes, 0)
        XCTAssertEqual(body.unackedBytes, 2)
        body.append(SharedBytes([3]))
        let (count, _) = body.handOut(into: vecs, capacity: 16)
        XCTAssertEqual(count, 1)
        XCTAssertEqual(vecs[0].base[0], 3)
    }

    func testDropUnsentCutsOnlyWhereAUnitStarts() {
        var body = OutgoingBody()
        body.append(SharedBytes([1, 1]), cutPoint: true)
        _ = body.handOut(into: vecs, capacity: 16)
        // The rest of the frame in flight, then two more frames.
        body.append(SharedBytes([1]), cutPoint: false)
        body.append(SharedBytes([2, 2]), cutPoint: true)
        body.append(SharedBytes([2]), cutPoint: false)
        body.append(SharedBytes([3, 3, 3]), cutPoint: true)
        XCTAssertEqual(body.dropUnsent(), 6, "from the first frame start on")
        XCTAssertEqual(body.unsentBytes, 1, "the end of the frame in flight stays")
        XCTAssertEqual(body.handOut(into: vecs, capacity: 16).count, 1)
        XCTAssertEqual(vecs[0].base[0], 1)
        body.append(SharedBytes([4]), cutPoint: false)
        XCTAssertEqual(body.dropUnsent(), 0, "no frame start queued: nothing may go")
        body.acknowledge(4)
        XCTAssertEqual(body.acknowledgedBytes, 4)
    }

    func testManyAcknowledgementsCompactWithoutLosingOrder() {
        var body = OutgoingBody()
        for round in 0..<300 {
            body.append(SharedBytes([UInt8(truncatingIfNeeded: round), 0]))
            let (count, _) = body.handOut(into: vecs, capacity: 16)
            XCTAssertEqual(count, 1)
            XCTAssertEqual(vecs[0].base[0], UInt8(truncatingIfNeeded: round))
            body.acknowledge(2)
        }
        XCTAssertEqual(body.bufferedBytes, 0)
    }

    func testRequestQueryParsing() {
        var head = HTTP3RequestHead()
        head.path = "/v1/stream?secret=abc&x=1"
        XCTAssertEqual(head.pathOnly, "/v1/stream")
        XCTAssertEqual(head.queryItems.map(\.name), ["secret", "x"])
        XCTAssertEqual(head.queryItems.first?.value, "abc")
        head.path = "/v1/info"
        XCTAssertTrue(head.queryItems.isEmpty)
    }
}
