import XCTest
@testable import PixelpassTerminal

final class ChoiceListTests: XCTestCase {
    private func menu() -> ChoiceList {
        ChoiceList([.init("Host", letter: "h"), .init("View", letter: "v"), .init("Quit", letter: "q")])
    }

    func testArrowsWrapAround() {
        var list = menu()
        XCTAssertEqual(list.handle(.up), .moved)
        XCTAssertEqual(list.selected, 2)
        XCTAssertEqual(list.handle(.down), .moved)
        XCTAssertEqual(list.selected, 0)
    }

    func testHomeAndEndJumpToTheEnds() {
        var list = menu()
        XCTAssertEqual(list.handle(.end), .moved)
        XCTAssertEqual(list.selected, 2)
        XCTAssertEqual(list.handle(.home), .moved)
        XCTAssertEqual(list.selected, 0)
        _ = list.handle(.pageDown)
        XCTAssertEqual(list.selected, 2)
        _ = list.handle(.pageUp)
        XCTAssertEqual(list.selected, 0)
    }

    func testEnterChoosesTheSelection() {
        var list = menu()
        _ = list.handle(.down)
        XCTAssertEqual(list.handle(.enter), .chosen(1))
    }

    func testFirstLetterChoosesAtOnceInEitherCase() {
        var list = menu()
        XCTAssertEqual(list.handle(.character("V")), .chosen(1))
        XCTAssertEqual(list.handle(.character("q")), .chosen(2))
        XCTAssertEqual(list.handle(.character("z")), .unchanged)
    }

    func testDigitsChoose() {
        var list = menu()
        XCTAssertEqual(list.handle(.character("3")), .chosen(2))
        XCTAssertEqual(list.handle(.character("4")), .unchanged)
    }

    func testEscapeAndCtrlC() {
        var list = menu()
        XCTAssertEqual(list.handle(.escape), .cancelled)
        XCTAssertEqual(list.handle(.interrupt), .interrupted)
    }
}
