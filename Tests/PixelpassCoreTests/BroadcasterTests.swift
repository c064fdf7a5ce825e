import PixelpassBytes
import NIOCore
import NIOEmbedded
import PixelpassMedia
import PixelpassTransport
import Synchronization
import XCTest
@testable import PixelpassCore

/// The broadcaster shell on an `EmbeddedEventLoop`, whose clock is the
/// broadcaster's: time moves only when a test advances it, and no test sleeps.
final class BroadcasterTests: XCTestCase {
    private let second: Int64 = 1_000_000_000
    private var loop: EmbeddedEventLoop!
    private var sources: [FakeSource] = []
    private var broadcaster: Broadcaster!

    override func setUp() {
        super.setUp()
        loop = EmbeddedEventLoop()
        sources = []
        broadcaster = Broadcaster(eventLoop: loop, logger: .silent, gracePeriod: 3, maxViewers: 4, maxBacklogBytes: 1000, stallTimeout: 20,
                                  makeSource: { [unowned self] in
                                      let source = FakeSource()
                                      self.sources.append(source)
                                      return source
                                  },
                                  mediaControl: { $0() })
    }

    override func tearDown() {
        broadcaster = nil
        try? loop.syncShutdownGracefully()
        super.tearDown()
    }

    private func advance(seconds: Int64) {
        loop.advanceTime(by: .nanoseconds(seconds * second))
    }

    // MARK: - Lazy start, grace period

    func testTheCaptureStartsWithTheFirstViewerOnly() {
        XCTAssertTrue(sources.isEmpty, "nothing is captured before anyone watches")
        XCTAssertFalse(broadcaster.isPipelineRunning)
        XCTAssertTrue(broadcaster.add(FakeViewer("a")))
        XCTAssertEqual(sources.count, 1)
        XCTAssertEqual(sources[0].calls, [.start])
        XCTAssertTrue(broadcaster.isPipelineRunning)

        XCTAssertTrue(broadcaster.add(FakeViewer("b")))
        XCTAssertEqual(sources.count, 1, "a second viewer shares the running capture")
        XCTAssertEqual(sources[0].calls, [.start, .keyframe], "and asks for a keyframe to start at")
    }

    func testTheCaptureStopsAGracePeriodAfterTheLastViewerLeaves() {
        let a = FakeViewer("a"), b = FakeViewer("b")
        _ = broadcaster.add(a)
        _ = broadcaster.add(b)
        advance(seconds: 10)
        broadcaster.remove(a)
        broadcaster.remove(b)
        advance(seconds: 2)
        XCTAssertEqual(sources[0].calls, [.start, .keyframe], "still lingering within the grace period")
        XCTAssertTrue(broadcaster.isPipelineRunning)
        advance(seconds: 1)
        XCTAssertEqual(sources[0].calls, [.start, .keyframe, .stop])
        XCTAssertFalse(broadcaster.isPipelineRunning)

        _ = broadcaster.add(FakeViewer("c"))
        XCTAssertEqual(sources.count, 2, "the next viewer starts a fresh capture")
    }

    func testAViewerReturningWithinTheGracePeriodKeepsTheCapture() {
        let a = FakeViewer("a")
        _ = broadcaster.add(a)
        broadcaster.remove(a)
        advance(seconds: 2)
        _ = broadcaster.add(FakeViewer("a again"))
        advance(seconds: 10)
        XCTAssertEqual(sources.count, 1)
        XCTAssertEqual(sources[0].calls, [.start, .keyframe], "not stopped: the grace timer was cancelled")
    }

    // MARK: - Joining at a keyframe

    func testAViewerStartsAtAKeyframeWithTheProgramTablesFirst() {
        let a = FakeViewer("a")
        _ = broadcaster.add(a)
        emit([1, 1], keyframe: false)
        XCTAssertEqual(a.written, [], "no bytes before a keyframe: the player could not decode them")
        emit([2, 2], keyframe: true, tables: [9, 9])
        emit([3], keyframe: false)
        XCTAssertEqual(a.written, [[9, 9], [2, 2], [3]])

        let b = FakeViewer("b")
        _ = broadcaster.add(b)
        emit([4], keyframe: false)
        emit([5], keyframe: true, tables: [8])
        XCTAssertEqual(b.written, [[8], [5]], "a later viewer waits for the next keyframe too")
        XCTAssertEqual(a.written.last, [5])
        XCTAssertEqual(broadcaster.viewerStats().map(\.bytesSent).sorted(), [2, 7])
    }

    // MARK: - Lag and stalls

    func testAViewerTooFarBehindSkipsToTheNextKeyframe() {
        let slow = FakeViewer("slow")
        _ = broadcaster.add(slow)
        emit([1], keyframe: true, tables: [0])
        slow.unsent = 1001
        slow.buffered = 1001
        emit([2], keyframe: false)
        XCTAssertEqual(slow.dropped, 1, "its unsent backlog was dropped")
        XCTAssertEqual(slow.written, [[0], [1]], "and it got nothing more until a keyframe")
        slow.unsent = 0
        slow.buffered = 0
        emit([3], keyframe: false)
        emit([4], keyframe: true, tables: [7])
        XCTAssertEqual(slow.written, [[0], [1], [7], [4]])
        XCTAssertEqual(broadcaster.viewerStats().first?.keyframeSkips, 1)
        XCTAssertNil(slow.cancelCode)
    }

    func testAViewerBehindSkipsOnlyWhereAFrameStarts() {
        let slow = FakeViewer("slow")
        _ = broadcaster.add(slow)
        emit([1], keyframe: true, tables: [0])
        slow.unsent = 1001
        emit([2], keyframe: false, continuesFrame: true)
        XCTAssertEqual(slow.dropped, 0, "the middle of a frame is never a place to skip")
        XCTAssertEqual(slow.written, [[0], [1], [2]], "the frame in flight is sent whole")
        XCTAssertEqual(slow.cutPoints, [true, false, false], "the keyframe is cut only before its tables")
        emit([3], keyframe: false)
        XCTAssertEqual(slow.dropped, 1, "the next frame start is where it skips")
        XCTAssertEqual(slow.written, [[0], [1], [2]])
    }

    func testAViewerThatReadsNothingForTheStallTimeoutIsDropped() {
        let reading = FakeViewer("reading"), stuck = FakeViewer("stuck")
        _ = broadcaster.add(reading)
        _ = broadcaster.add(stuck)
        emit([1], keyframe: true, tables: [0])
        for viewer in [reading, stuck] { viewer.unsent = 10 }
        advance(seconds: 15)
        reading.onAcknowledged?()
        advance(seconds: 5)
        emit([2], keyframe: false)
        XCTAssertEqual(stuck.cancelCode, HTTP3ErrorCode.requestRejected, "20 s without an acknowledgement")
        XCTAssertNil(reading.cancelCode, "acknowledged 5 s ago")
        XCTAssertEqual(reading.written.last, [2])
    }

    func testStopAllEndsEveryStreamAndTheCapture() {
        let a = FakeViewer("a")
        _ = broadcaster.add(a)
        broadcaster.stopAll()
        XCTAssertTrue(a.finished)
        XCTAssertEqual(broadcaster.viewerCount, 0)
        XCTAssertEqual(sources[0].calls, [.start, .stop])
    }

    // MARK: - Adaptive rate

    func testAFullLinkLowersTheRunningEncodersBitrate() {
        let nominal = VideoPicture(width: 1280, height: 720, fps: 30)
        broadcaster = Broadcaster(eventLoop: loop, logger: .silent, gracePeriod: 3, maxViewers: 4, maxBacklogBytes: 10_000_000,
                                  stallTimeout: 20,
                                  rate: .init(mode: .adaptive, ceilingKbps: 4000, floorKbps: 800, audioKbps: 0, nominal: nominal),
                                  makeSource: { [unowned self] in
                                      let source = FakeSource()
                                      self.sources.append(source)
                                      return source
                                  },
                                  mediaControl: { $0() })
        let viewer = FakeViewer("slow")
        _ = broadcaster.add(viewer)
        emit([1], keyframe: true, tables: [0])
        // The link carries 2 Mbit/s while the encoder offers 4: a queue grows.
        for _ in 0 ..< 12 {
            viewer.acknowledged += 2_000_000 / 8 / 4
            viewer.unsent += (4_000_000 - 2_000_000) / 8 / 4
            loop.advanceTime(by: .milliseconds(250))
        }
        let bitrates = sources[0].calls.compactMap { if case .bitrate(let kbps) = $0 { return kbps } else { return nil } }
        XCTAssertFalse(bitrates.isEmpty, "the encoder was never told: \(sources[0].calls)")
        XCTAssertLessThan(bitrates.last ?? .max, 2000, "the new rate fits the link")
        XCTAssertEqual(broadcaster.encoderStatus()?.limit, .uplink)
        XCTAssertEqual(broadcaster.viewerStats().first?.estimatedBitsPerSecond ?? 0, 2_000_000, accuracy: 200_000)
    }

    // MARK: - Helpers

    /// A chunk from the capture thread, then the hop onto the loop. Each
    /// starts a frame unless `continuesFrame`.
    private func emit(_ bytes: [UInt8], keyframe: Bool, tables: [UInt8] = [], continuesFrame: Bool = false) {
        sources.last!.emit(MediaChunk(bytes: SharedBytes(bytes), isKeyframe: keyframe, programTables: tables,
                                      startsUnit: keyframe || !continuesFrame))
        loop.run()
    }
}

/// A capture that emits chunks when told and records what it was asked.
private final class FakeSource: BroadcastSource {
    enum Call: Equatable { case start, stop, keyframe, bitrate(Int), picture(VideoPicture) }

    private let state = Mutex((calls: [Call](), onChunk: (@Sendable (MediaChunk) -> Void)?.none))

    var launchDescription: String { "fake" }
    var calls: [Call] { state.withLock { $0.calls } }

    func start(onChunk: @escaping @Sendable (MediaChunk) -> Void, onFailure: @escaping @Sendable (MediaError) -> Void) throws {
        state.withLock {
            $0.calls.append(.start)
            $0.onChunk = onChunk
        }
    }

    func stop() { state.withLock { $0.calls.append(.stop) } }
    func requestKeyframe() { state.withLock { $0.calls.append(.keyframe) } }
    func setVideoBitrate(kbps: Int) { state.withLock { $0.calls.append(.bitrate(kbps)) } }
    func setPicture(_ picture: VideoPicture) { state.withLock { $0.calls.append(.picture(picture)) } }

    func emit(_ chunk: MediaChunk) {
        state.withLock { $0.onChunk }?(chunk)
    }
}

/// One viewer's stream, with a backlog the test sets.
private final class FakeViewer: BroadcastViewer {
    let viewerID: String
    var onAcknowledged: (() -> Void)?
    var buffered = 0
    var unsent = 0
    var acknowledged = 0
    var path: QUICPathStatistics?
    private(set) var written: [[UInt8]] = []
    /// Parallel to `written`: whether each chunk was marked as a cut point.
    private(set) var cutPoints: [Bool] = []
    private(set) var dropped = 0
    private(set) var cancelCode: UInt64?
    private(set) var finished = false

    init(_ id: String) { viewerID = id }

    var bufferedBytes: Int { buffered }
    var unsentBytes: Int { unsent }
    var acknowledgedBytes: Int { acknowledged }
    var pathStatistics: QUICPathStatistics? { path }
    func write(_ chunk: SharedBytes, cutPoint: Bool) {
        written.append(chunk.bytes)
        cutPoints.append(cutPoint)
    }

    func dropUnsent() -> Int {
        dropped += 1
        defer { unsent = 0 }
        return unsent
    }

    func cancel(code: UInt64) { cancelCode = code }
    func finish() { finished = true }
}
