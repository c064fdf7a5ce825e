import XCTest
@testable import PixelpassTerminal

final class KeyDecoderTests: XCTestCase {
    private func decode(_ chunks: String...) -> [Key] {
        var decoder = KeyDecoder()
        return chunks.flatMap { decoder.feed(Array($0.utf8)) }
    }

    func testArrowsEnterAndLetters() {
        XCTAssertEqual(decode("\u{1b}[A\u{1b}[Bh\r"), [.up, .down, .character("h"), .enter])
        XCTAssertEqual(decode("\u{1b}OA"), [.up], "application cursor mode")
    }

    func testScrollKeysAsXtermAndRxvtSendThem() {
        XCTAssertEqual(decode("\u{1b}[5~\u{1b}[6~"), [.pageUp, .pageDown])
        XCTAssertEqual(decode("\u{1b}[H\u{1b}[F"), [.home, .end], "xterm")
        XCTAssertEqual(decode("\u{1b}OH\u{1b}OF"), [.home, .end], "application cursor mode")
        XCTAssertEqual(decode("\u{1b}[1~\u{1b}[4~\u{1b}[7~\u{1b}[8~"), [.home, .end, .home, .end], "VT220 and rxvt")
        XCTAssertEqual(decode("\u{1b}[3~\u{1b}[2~q"), [.character("q")], "Delete and Insert mean nothing here")
    }

    func testControlKeys() {
        XCTAssertEqual(decode("\u{3}"), [.interrupt])
        XCTAssertEqual(decode("\u{4}\u{7f}\u{15}\t"), [.endOfInput, .backspace, .clearLine, .tab])
        XCTAssertEqual(decode("\r\n"), [.enter], "CRLF is one Enter")
    }

    func testLoneEscapeIsTheEscapeKey() {
        XCTAssertEqual(decode("\u{1b}"), [.escape])
    }

    func testSequenceSplitAcrossReadsIsCompleted() {
        XCTAssertEqual(decode("\u{1b}[", "B"), [.down])
    }

    func testUnknownSequencesAreIgnored() {
        XCTAssertEqual(decode("\u{1b}[15~x"), [.character("x")])
    }

    func testBracketedPasteIsOneKeyEvenAcrossReads() {
        XCTAssertEqual(decode("\u{1b}[200~pixel", "pass1-abc\u{1b}[20", "1~"), [.paste("pixelpass1-abc")])
    }

    func testBracketedPasteDropsTrailingNewlinesAndTheEnterAfterIt() {
        XCTAssertEqual(decode("\u{1b}[200~abc\n\u{1b}[201~\r"), [.paste("abc")])
    }

    func testALongBurstIsAPasteAndItsNewlineIsNotAnEnter() {
        let ticket = "pixelpass1-" + String(repeating: "a", count: 40)
        XCTAssertEqual(decode(ticket + "\r"), [.paste(ticket)])
    }

    func testShortTypedTextStaysCharacters() {
        XCTAssertEqual(decode("ab\r"), [.character("a"), .character("b"), .enter])
    }

    func testUTF8Characters() {
        XCTAssertEqual(decode("é"), [.character("é")])
    }
}
