import Foundation
import XCTest
@testable import PixelpassMedia

/// Failure paths and ownership of one pipeline run, with small hand-written
/// pipelines that fail on purpose.
final class PipelineSessionTests: XCTestCase {
    private let names = "h264parse name=\(PipelineDescription.parserName) ! mpegtsmux ! appsink name=\(PipelineDescription.sinkName) sync=false"

    func testUnknownElementIsThrownFromLaunch() {
        XCTAssertThrowsError(try PipelineSession.launch(description: "pixelpassnosuchelement ! \(names)",
                                                        onChunk: { _ in }, onFailure: { _ in })) { error in
            guard case let .pipelineFailed(message) = error as? MediaError else {
                return XCTFail("expected pipelineFailed, got \(error)")
            }
            XCTAssertTrue(message.contains("pixelpassnosuchelement"), message)
        }
    }

    func testStateChangeFailureIsThrownWithGStreamersMessage() {
        let description = "filesrc location=/nonexistent/pixelpass.h264 ! \(names)"
        XCTAssertThrowsError(try PipelineSession.launch(description: description, onChunk: { _ in }, onFailure: { _ in })) { error in
            guard case let .pipelineFailed(message) = error as? MediaError else {
                return XCTFail("expected pipelineFailed, got \(error)")
            }
            XCTAssertTrue(message.contains("/nonexistent/pixelpass.h264"), message)
        }
    }

    func testEndOfStreamBecomesOneFailureAndSessionIsFreedAfterShutdown() throws {
        let recorder = ChunkRecorder()
        let description = "videotestsrc is-live=true num-buffers=10 ! video/x-raw,width=320,height=240,framerate=30/1"
            + " ! videoconvert ! x264enc tune=zerolatency speed-preset=ultrafast ! \(names)"
        weak var weakSession: PipelineSession?
        do {
            let session = try PipelineSession.launch(description: description,
                                                     onChunk: recorder.onChunk, onFailure: recorder.onFailure)
            weakSession = session
            let deadline = Date().addingTimeInterval(5)
            while recorder.failures.isEmpty, Date() < deadline {
                Thread.sleep(forTimeInterval: 0.02)
            }
            session.requestKeyframe() // harmless after the end
            session.shutdown()
            session.shutdown()
        }
        XCTAssertEqual(recorder.failures, [.pipelineFailed("the stream ended unexpectedly")])
        XCTAssertFalse(recorder.arrivals.isEmpty)
        // The appsink's retained reference was given back when its callbacks were detached.
        XCTAssertNil(weakSession, "PipelineSession leaked: the appsink still holds it")
    }
}
