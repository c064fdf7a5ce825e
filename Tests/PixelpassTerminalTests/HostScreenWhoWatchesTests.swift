import PixelpassCore
import XCTest
@testable import PixelpassTerminal

final class HostScreenWhoWatchesTests: XCTestCase {
    private let plain = TextStyle(enabled: false)

    private func screen() -> HostScreen {
        var screen = HostScreen(ticket: "pixelpass1-abc", clipboard: .copied(tool: "xclip"), capture: "test", maxViewers: 4)
        var alice = HostViewerStatus(id: "3f2a0001", address: "10.0.0.2:5000", path: .direct, connectedSeconds: 5,
                                     roundTripMilliseconds: 2, bytesSent: 0, lagBytes: 0, keyframeSkips: 0, streams: 1)
        alice.name = "alice"
        screen.status = HostStatus(viewers: [alice], bytesSent: 0, capturing: true)
        return screen
    }

    func testTheViewersNameIsShownBeforeItsIdAt80Columns() {
        let lines = screen().lines(width: 80, style: plain)
        XCTAssertTrue(lines.contains { $0.contains("VIEWER") }, "\(lines)")
        XCTAssertTrue(lines.contains { $0.contains(" 1  alice 3f2a0001") }, "\(lines)")
    }

    func testAWaitingViewerIsTheQuestionInTheFooter() {
        var waiting = screen()
        waiting.waiting = [.init(id: "b0b00002", name: "bob", address: "10.0.0.3:5000"),
                           .init(id: "c0c00003", name: nil, address: "10.0.0.4:5000")]
        let footer = waiting.lines(width: 120, style: plain).last ?? ""
        XCTAssertEqual(footer, "bob (b0b00002) from 10.0.0.3:5000 wants to watch (1 more waiting) — a allow · d deny")
    }

    func testTheFooterSaysWhetherNewViewersWait() {
        var approving = screen()
        XCTAssertTrue((approving.lines(width: 80, style: plain).last ?? "").contains("ask first: off"))
        approving.approving = true
        XCTAssertTrue((approving.lines(width: 80, style: plain).last ?? "").contains("ask first: on"))
    }
}
