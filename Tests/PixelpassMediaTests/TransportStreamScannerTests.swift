import XCTest
@testable import PixelpassMedia

final class TransportStreamScannerTests: XCTestCase {
    typealias F = TransportStreamFixture

    func testLearnsProgramAndVideoPIDsAndCachesTables() {
        var scanner = TransportStreamScanner()
        XCTAssertEqual(scanner.programTables, [])
        XCTAssertEqual(scanner.inspect(F.pat()[...]), .programAssociationTable)
        XCTAssertEqual(scanner.programMapPID, F.pmtPID)
        XCTAssertEqual(scanner.programTables, [], "tables are only offered once the PMT is known too")
        XCTAssertEqual(scanner.inspect(F.pmt()[...]), .programMapTable)
        XCTAssertEqual(scanner.videoPID, F.videoPID)
        XCTAssertEqual(scanner.programTables, F.pat() + F.pmt())
    }

    func testRandomAccessIndicatorMarksKeyframe() {
        var scanner = learnedScanner()
        // mpegtsmux's signal: RAI on the first packet, whatever the NAL units.
        XCTAssertEqual(scanner.inspect(F.videoStart(nalTypes: [9, 6], randomAccess: true)[...]), .videoKeyframeStart)
    }

    func testSPSOrIDRInPESMarksKeyframeWithoutRandomAccessIndicator() {
        var scanner = learnedScanner()
        XCTAssertEqual(scanner.inspect(F.videoStart(nalTypes: [9, 7, 8, 5])[...]), .videoKeyframeStart)
        XCTAssertEqual(scanner.inspect(F.videoStart(nalTypes: [9, 5])[...]), .videoKeyframeStart)
        XCTAssertEqual(scanner.inspect(F.videoStart(nalTypes: [9, 1])[...]), .elementaryStart, "a P frame starts a unit")
    }

    func testIgnoresContinuationsAndUnknownPIDsButSeesAudioFrames() {
        var scanner = learnedScanner()
        XCTAssertEqual(scanner.inspect(F.videoContinuation()[...]), .other)
        XCTAssertEqual(scanner.inspect(F.audioStart(randomAccess: true)[...]), .elementaryStart,
                       "an audio PES is a unit a skip may cut before, never a keyframe")
        let stranger = F.packet(pid: 0x0200, unitStart: true, payload: [0, 0, 1, 0xe0], randomAccess: true)
        XCTAssertEqual(scanner.inspect(stranger[...]), .other)
    }

    func testVideoBeforeProgramMapIsNotAKeyframe() {
        var scanner = TransportStreamScanner()
        XCTAssertEqual(scanner.inspect(F.videoStart(nalTypes: [7, 8, 5], randomAccess: true)[...]), .other)
    }

    func testProgramWithoutH264HasNoVideoPID() {
        var scanner = TransportStreamScanner()
        _ = scanner.inspect(F.pat()[...])
        XCTAssertEqual(scanner.inspect(F.pmt(streams: [(0x0f, F.audioPID)])[...]), .programMapTable)
        XCTAssertNil(scanner.videoPID)
        XCTAssertEqual(scanner.inspect(F.videoStart(nalTypes: [7], randomAccess: true)[...]), .other)
    }

    func testNewPMTPIDForgetsOldProgramMap() {
        var scanner = learnedScanner()
        XCTAssertEqual(scanner.inspect(F.pat(pmtPID: 0x1001)[...]), .programAssociationTable)
        XCTAssertEqual(scanner.programMapPID, 0x1001)
        XCTAssertNil(scanner.videoPID)
        XCTAssertEqual(scanner.programTables, [])
        XCTAssertEqual(scanner.inspect(F.pmt()[...]), .other, "the old PMT PID is no longer the program's")
        XCTAssertEqual(scanner.inspect(F.pmt(pmtPID: 0x1001)[...]), .programMapTable)
        XCTAssertEqual(scanner.programTables, F.pat(pmtPID: 0x1001) + F.pmt(pmtPID: 0x1001))
    }

    func testSectionSpanningPacketsIsNotCached() {
        var scanner = TransportStreamScanner()
        var packet = F.pat()
        packet[6] = 0xb3 // section_length now 0x3xx: longer than one packet
        XCTAssertEqual(scanner.inspect(packet[...]), .other)
        XCTAssertNil(scanner.programMapPID)
    }

    func testCorruptPacketsAreIgnored() {
        var scanner = learnedScanner()
        var errored = F.videoStart(nalTypes: [7], randomAccess: true)
        errored[1] |= 0x80 // transport_error_indicator
        XCTAssertEqual(scanner.inspect(errored[...]), .other)
        XCTAssertEqual(scanner.inspect(F.pat()[..<100]), .other)
    }

    func testSplitStartsAChunkAtEveryKeyframe() {
        var scanner = TransportStreamScanner()
        let head = F.pat() + F.pmt() + F.videoContinuation() + F.audioStart()
        let gop1 = F.videoStart(nalTypes: [9, 7, 8, 5], randomAccess: true) + F.videoContinuation()
        let gop2 = F.videoStart(nalTypes: [9, 7, 8, 5], randomAccess: true)
        let chunks = scanner.split(head + gop1 + gop2)

        // Every PES start begins a chunk too (the audio frame here), so a
        // skip can cut between whole frames.
        let tables = F.pat() + F.pmt() + F.videoContinuation()
        XCTAssertEqual(chunks.map { Array($0.bytes) }, [tables, F.audioStart(), gop1, gop2])
        XCTAssertEqual(chunks.map(\.isKeyframe), [false, false, true, true])
        XCTAssertEqual(chunks.map(\.startsUnit), [false, true, true, true])
        XCTAssertEqual(chunks[0].programTables, [])
        XCTAssertEqual(chunks[2].programTables, F.pat() + F.pmt())
        XCTAssertEqual(chunks[3].programTables, F.pat() + F.pmt())
    }

    func testSplitJoinsPartialPacketsAcrossCalls() {
        var scanner = TransportStreamScanner()
        var stream = F.pat() + F.pmt()
        for _ in 0 ..< 3 {
            stream += F.videoStart(nalTypes: [9, 7, 8, 5], randomAccess: true)
            stream += F.videoContinuation() + F.audioStart() + F.videoStart(nalTypes: [9, 1]) + F.videoContinuation()
        }
        var chunks: [MediaChunk] = []
        var offset = 0
        while offset < stream.count { // 100-byte pieces cut packets anywhere
            let end = min(offset + 100, stream.count)
            chunks += scanner.split(Array(stream[offset ..< end]))
            offset = end
        }

        XCTAssertEqual(chunks.flatMap(\.bytes), stream)
        XCTAssertTrue(chunks.allSatisfy { $0.bytes.count % 188 == 0 && !$0.bytes.isEmpty })
        XCTAssertEqual(chunks.filter(\.isKeyframe).count, 3)
        for chunk in chunks where chunk.isKeyframe {
            XCTAssertEqual(Array(chunk.bytes.prefix(188)), F.videoStart(nalTypes: [9, 7, 8, 5], randomAccess: true))
        }
    }

    func testSplitSkipsBytesOutOfSync() {
        var scanner = TransportStreamScanner()
        let chunks = scanner.split([0x00, 0x12, 0x34] + F.pat() + F.pmt())
        XCTAssertEqual(chunks.flatMap(\.bytes), F.pat() + F.pmt())
    }

    private func learnedScanner() -> TransportStreamScanner {
        var scanner = TransportStreamScanner()
        _ = scanner.inspect(F.pat()[...])
        _ = scanner.inspect(F.pmt()[...])
        return scanner
    }
}
