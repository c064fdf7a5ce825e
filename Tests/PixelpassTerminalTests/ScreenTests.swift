import PixelpassCore
import XCTest
@testable import PixelpassTerminal

final class ScreenTests: XCTestCase {
    private let plain = TextStyle(enabled: false)

    private func hostScreen(viewers: Int) -> HostScreen {
        var screen = HostScreen(ticket: "pixelpass1-" + String(repeating: "x", count: 120),
                                clipboard: .copied(tool: "xclip"), capture: "test pattern", maxViewers: 4)
        let list = (0..<viewers).map { index in
            HostViewerStatus(id: "abcd00\(index)0", address: "10.0.0.\(index):5000", path: .direct, connectedSeconds: 75,
                             roundTripMilliseconds: 1.25, bytesSent: 1000, lagBytes: 500_000, keyframeSkips: 0, streams: 1)
        }
        screen.status = HostStatus(viewers: list, bytesSent: 1000, capturing: viewers > 0)
        for viewer in list { screen.viewerRates[viewer.id] = 4_000_000 }
        screen.uploadRate = 4_000_000 * Double(viewers)
        return screen
    }

    func testWideStatusHasATableRowPerViewer() {
        let lines = hostScreen(viewers: 2).lines(width: 100, style: plain)
        XCTAssertTrue(lines.contains { $0.contains("VIEWER") && $0.contains("RTT") })
        let row = try! XCTUnwrap(lines.first { $0.contains("abcd0010") })
        XCTAssertTrue(row.contains("1:15") && row.contains("4.0 Mbit/s") && row.contains("1.0 s") && row.contains("direct"), row)
        XCTAssertTrue(lines.contains { $0.contains("8.0 Mbit/s · 2 of 4 viewers · capturing") })
    }

    func testTheTicketIsNeverCut() {
        let screen = hostScreen(viewers: 0)
        XCTAssertTrue(screen.lines(width: 40, style: plain).contains(screen.ticket))
    }

    func testNoLineExceedsTheWidthExceptTheTicket() {
        for width in [20, 35, 61, 62, 80] {
            let screen = hostScreen(viewers: 3)
            for line in screen.lines(width: width, style: plain) where line != screen.ticket {
                XCTAssertLessThanOrEqual(line.count, width, "width \(width): \(line)")
            }
        }
    }

    func testNarrowTerminalSaysToWiden() {
        XCTAssertTrue(hostScreen(viewers: 1).lines(width: 25, style: plain).contains { $0.contains("widen the terminal") })
        let compact = hostScreen(viewers: 1).lines(width: 45, style: plain)
        XCTAssertFalse(compact.contains { $0.contains("VIEWER") })
        XCTAssertTrue(compact.contains { $0.hasPrefix("1 abcd0000") })
    }

    func testNoEscapeCodesWithoutColour() {
        XCTAssertFalse(hostScreen(viewers: 1).lines(width: 80, style: plain).joined().contains("\u{1B}"))
        XCTAssertTrue(hostScreen(viewers: 1).lines(width: 80, style: TextStyle(enabled: true)).joined().contains("\u{1B}["))
    }

    func testColourIsOffWithNoColor() {
        XCTAssertFalse(TextStyle.colourAllowed(["NO_COLOR": "1", "TERM": "xterm"]))
        XCTAssertTrue(TextStyle.colourAllowed(["NO_COLOR": "", "TERM": "xterm"]))
        XCTAssertFalse(TextStyle.colourAllowed(["TERM": "dumb"]))
    }

    func testViewScreenOffersToReopenAClosedPlayer() {
        var screen = ViewScreen(phase: .watching(url: "http://127.0.0.1:1/"))
        screen.player = .closed(name: "mpv")
        XCTAssertTrue(screen.lines(width: 80, style: plain).contains { $0.contains("r reopen the player · q quit") })
    }

    func testUnits() {
        XCTAssertEqual(Units.bitrate(4_210_000), "4.2 Mbit/s")
        XCTAssertEqual(Units.bitrate(950_000), "950 kbit/s")
        XCTAssertEqual(Units.duration(3725), "1:02:05")
        XCTAssertEqual(Units.lag(bytes: 500_000, bitsPerSecond: 4_000_000), "1.0 s")
    }

    func testTheStreamURLIsNeverCutEvenWhenNarrow() {
        let url = "http://127.0.0.1:40123/" + String(repeating: "ab", count: 16) + "/"
        let screen = ViewScreen(phase: .watching(url: url))
        for width in [100, 40] {
            let lines = screen.lines(width: width, style: plain)
            XCTAssertTrue(lines.joined().contains(url), "width \(width): \(lines)")
            XCTAssertFalse(lines.contains { $0.count > width }, "width \(width): \(lines)")
        }
    }
}
