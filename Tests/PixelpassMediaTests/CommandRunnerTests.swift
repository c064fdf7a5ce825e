import XCTest
@testable import PixelpassMedia

final class CommandRunnerTests: XCTestCase {
    func testCollectsOutputAndStatus() throws {
        let result = try CommandRunner().run("sh", ["-c", "echo out; echo err >&2; exit 3"], ifMissing: .noDisplay)
        XCTAssertEqual(result.status, 3)
        XCTAssertEqual(result.output, "out\n")
        XCTAssertEqual(result.errors, "err\n")
        XCTAssertEqual(result.failureText, "err")
        XCTAssertFalse(result.timedOut)
    }

    func testAMissingToolThrowsWhatTheCallerSays() {
        let missing = MediaError.toolMissing(tool: "pixelpass-no-such-tool", purpose: "test", debianPackage: "none")
        XCTAssertThrowsError(try CommandRunner().run("pixelpass-no-such-tool", [], ifMissing: missing)) { error in
            XCTAssertEqual(error as? MediaError, missing)
        }
    }

    func testAHangingToolIsStoppedAtTheTimeLimit() throws {
        let started = Date()
        let result = try CommandRunner(timeout: 0.3).run("sleep", ["10"], ifMissing: .noDisplay)
        XCTAssertTrue(result.timedOut)
        XCTAssertEqual(result.failureText, "no answer within the time limit")
        XCTAssertLessThan(Date().timeIntervalSince(started), 2)
    }
}
