import Foundation
import XCTest
@testable import PixelpassCore

final class ClipboardTests: XCTestCase {
    private let x11 = ["DISPLAY": ":0"]
    private let wayland = ["WAYLAND_DISPLAY": "wayland-0"]
    private let xwayland = ["WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"]

    // MARK: choosing the tool

    func testX11PrefersXclipThenXsel() {
        XCTAssertEqual(Clipboard.availableTools(environment: x11) { _ in true }.map(\.name), ["xclip", "xsel"])
        XCTAssertEqual(Clipboard.availableTools(environment: x11) { $0 == "xsel" }.map(\.name), ["xsel"])
    }

    func testWaylandUsesWlCopyOnly() {
        XCTAssertEqual(Clipboard.availableTools(environment: wayland) { _ in true }.map(\.name), ["wl-copy"])
        XCTAssertEqual(Clipboard.availableTools(environment: wayland) { $0 == "xclip" }, [])
    }

    func testWaylandFallsBackToXToolsUnderXwayland() {
        XCTAssertEqual(Clipboard.availableTools(environment: xwayland) { $0 != "wl-copy" }.map(\.name), ["xclip", "xsel"])
    }

    func testNoSessionHasNoTools() {
        XCTAssertEqual(Clipboard.availableTools(environment: [:]) { _ in true }, [])
    }

    func testToolArgumentsSelectTheClipboardAndReadStdin() {
        XCTAssertEqual(ClipboardTool.xclip.arguments, ["-selection", "clipboard"])
        XCTAssertEqual(ClipboardTool.xsel.arguments, ["--clipboard", "--input"])
        XCTAssertEqual(ClipboardTool.wlCopy.arguments, [])
    }

    // MARK: reporting

    func testNoSessionSaysSo() {
        let result = Clipboard.copy("t", environment: [:], isInstalled: { _ in true }) { _ in
            XCTFail("nothing may run without a session")
            return .success(ToolOutcome(status: 0))
        }
        XCTAssertEqual(result, .notCopied(reason: "no graphical session: nothing to copy to"))
    }

    func testMissingToolsSayWhatToInstall() {
        let result = Clipboard.copy("t", environment: x11, isInstalled: { _ in false }) { _ in .success(ToolOutcome(status: 0)) }
        XCTAssertEqual(result, .notCopied(reason: "no clipboard tool: install xclip or xsel (apt install xclip)"))
        let onWayland = Clipboard.copy("t", environment: wayland, isInstalled: { _ in false }) { _ in .success(ToolOutcome(status: 0)) }
        XCTAssertEqual(onWayland, .notCopied(reason: "no clipboard tool: install wl-clipboard (apt install wl-clipboard)"))
    }

    func testFirstWorkingToolWins() {
        var tried: [String] = []
        let result = Clipboard.copy("t", environment: x11, isInstalled: { _ in true }) { tool in
            tried.append(tool.name)
            return .success(ToolOutcome(status: 0))
        }
        XCTAssertEqual(result, .copied(tool: "xclip"))
        XCTAssertEqual(tried, ["xclip"])
    }

    func testFailureFallsBackAndQuotesStderr() {
        let result = Clipboard.copy("t", environment: x11, isInstalled: { _ in true }) { tool in
            tool.name == "xclip"
                ? .success(ToolOutcome(status: 1, errors: "Error: Can't open display: :0\n"))
                : .success(ToolOutcome(status: 0))
        }
        XCTAssertEqual(result, .copied(tool: "xsel"))
    }

    func testAllFailuresAreReported() {
        let result = Clipboard.copy("t", environment: x11, isInstalled: { _ in true }) { tool in
            tool.name == "xclip"
                ? .success(ToolOutcome(status: 1, errors: "Error: Can't open display: :0\n"))
                : .success(ToolOutcome(status: -1, timedOut: true))
        }
        XCTAssertEqual(result, .notCopied(reason: "xclip failed: Error: Can't open display: :0; xsel failed: no answer within the time limit"))
    }

    func testLaunchErrorIsReported() {
        let result = Clipboard.copy("t", environment: wayland, isInstalled: { _ in true }) { _ in
            .failure(.couldNotStart(tool: "wl-copy", reason: "permission denied"))
        }
        XCTAssertEqual(result, .notCopied(reason: "wl-copy could not start: permission denied"))
    }

    // MARK: the real thing, when a display and xclip are there

    /// Copies through xclip and reads the text back, proving the forked
    /// child does not make `copy` hang. Runs under an X display only.
    func testRealCopyUnderX11() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let display = environment["DISPLAY"], !display.isEmpty, environment["WAYLAND_DISPLAY"] == nil else {
            throw XCTSkip("needs an X display (DISPLAY) and no Wayland session")
        }
        guard ExecutableSearch(environment: environment).has("xclip") else { throw XCTSkip("needs xclip") }
        let text = "pixelpass1-clipboardtest\(UInt32.random(in: 0...UInt32.max))"
        let started = Date()
        XCTAssertEqual(Clipboard.copy(text, environment: environment), .copied(tool: "xclip"))
        XCTAssertLessThan(Date().timeIntervalSince(started), 2.5, "copy waited for xclip's background child")
        let readBack = try ToolProcess().run("xclip", ["-selection", "clipboard", "-o"])
        XCTAssertEqual(readBack.output, text)
    }

    func testToolProcessDoesNotWaitForForkedChildren() throws {
        // sh starts a child that keeps stdout open for 5 s and exits at once.
        let started = Date()
        let outcome = try ToolProcess(timeout: 3).run("sh", ["-c", "echo parent; sleep 5 & exit 0"])
        XCTAssertTrue(outcome.succeeded)
        XCTAssertEqual(outcome.output, "parent\n")
        XCTAssertLessThan(Date().timeIntervalSince(started), 2)
    }

    func testToolProcessKillsAHungTool() throws {
        let started = Date()
        let outcome = try ToolProcess(timeout: 0.5).run("sleep", ["10"])
        XCTAssertTrue(outcome.timedOut)
        XCTAssertEqual(outcome.failureLine, "no answer within the time limit")
        XCTAssertLessThan(Date().timeIntervalSince(started), 3)
    }

    func testToolProcessFeedsStdinAndReportsMissingTools() throws {
        let outcome = try ToolProcess().run("cat", [], input: "hello\nworld")
        XCTAssertEqual(outcome.output, "hello\nworld")
        XCTAssertThrowsError(try ToolProcess().run("pixelpass-no-such-tool", [])) { error in
            XCTAssertEqual(error as? ToolLaunchError, .notInstalled(tool: "pixelpass-no-such-tool"))
        }
    }
}
