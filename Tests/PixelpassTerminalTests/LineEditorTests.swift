import XCTest
@testable import PixelpassTerminal

final class LineEditorTests: XCTestCase {
    func testTypingBackspaceAndEnter() {
        var editor = LineEditor()
        _ = editor.handle(.character("a"))
        _ = editor.handle(.character("b"))
        _ = editor.handle(.backspace)
        XCTAssertEqual(editor.text, "a")
        XCTAssertEqual(editor.handle(.enter), .submitted("a"))
    }

    func testPasteSubmitsAtOnceTrimmed() {
        var editor = LineEditor()
        XCTAssertEqual(editor.handle(.paste("  pixelpass1-abc \n")), .submitted("pixelpass1-abc"))
    }

    func testClearAndCancel() {
        var editor = LineEditor()
        _ = editor.handle(.character("x"))
        _ = editor.handle(.clearLine)
        XCTAssertEqual(editor.text, "")
        XCTAssertEqual(editor.handle(.escape), .cancelled)
        XCTAssertEqual(editor.handle(.interrupt), .interrupted)
    }
}
