import XCTest
@testable import PixelpassTerminal

final class ScrollViewTests: XCTestCase {
    private let report = ScrollView((1...30).map { "line \($0)" })

    func testShowsAScreenfulFromTheTopAndSaysWhere() {
        XCTAssertEqual(Array(report.visible(rows: 10)), (1...10).map { "line \($0)" })
        XCTAssertEqual(report.position(rows: 10), "lines 1–10 of 30")
        XCTAssertNil(report.position(rows: 30), "no position when everything fits")
    }

    func testArrowsPagesHomeAndEndScrollWithinBounds() {
        var view = report
        XCTAssertEqual(view.handle(.up, rows: 10), .scrolled)
        XCTAssertEqual(view.top, 0, "cannot scroll above the first line")
        _ = view.handle(.down, rows: 10)
        XCTAssertEqual(view.visible(rows: 10).first, "line 2")
        _ = view.handle(.pageDown, rows: 10)
        XCTAssertEqual(view.visible(rows: 10).first, "line 12")
        _ = view.handle(.pageDown, rows: 10)
        XCTAssertEqual(Array(view.visible(rows: 10)), (21...30).map { "line \($0)" }, "the last page is full, not past the end")
        _ = view.handle(.down, rows: 10)
        XCTAssertEqual(view.visible(rows: 10).last, "line 30")
        _ = view.handle(.pageUp, rows: 10)
        XCTAssertEqual(view.visible(rows: 10).first, "line 11")
        _ = view.handle(.home, rows: 10)
        XCTAssertEqual(view.top, 0)
        _ = view.handle(.end, rows: 10)
        XCTAssertEqual(view.position(rows: 10), "lines 21–30 of 30")
    }

    func testATallerTerminalShowsMoreAndKeepsTheEndInView() {
        var view = report
        _ = view.handle(.end, rows: 10)
        // The terminal grew to 25 rows: no empty space below the last line.
        XCTAssertEqual(Array(view.visible(rows: 25)), (6...30).map { "line \($0)" })
        _ = view.handle(.up, rows: 25)
        XCTAssertEqual(view.visible(rows: 25).first, "line 5")
    }

    func testOtherKeysLeaveAndCtrlCQuits() {
        var view = report
        XCTAssertEqual(view.handle(.character("q"), rows: 10), .leave)
        XCTAssertEqual(view.handle(.escape, rows: 10), .leave)
        XCTAssertEqual(view.handle(.enter, rows: 10), .leave)
        XCTAssertEqual(view.handle(.interrupt, rows: 10), .interrupted)
        XCTAssertEqual(view.handle(.left, rows: 10), .scrolled, "sideways is nothing, not leaving")
        XCTAssertEqual(view.top, 0)
    }

    func testAShortTextNeverScrolls() {
        var view = ScrollView(["a", "b"])
        _ = view.handle(.pageDown, rows: 10)
        _ = view.handle(.end, rows: 10)
        XCTAssertEqual(Array(view.visible(rows: 10)), ["a", "b"])
    }
}
