import Foundation
import XCTest
@testable import PixelpassCore

final class DoctorReportTests: XCTestCase {
    private let report = DoctorReport(checks: [
        DoctorCheck(name: "session", status: .ok, detail: "X11 (DISPLAY=:0)"),
        DoctorCheck(name: "capture", status: .fail,
                    detail: "no graphical session: neither WAYLAND_DISPLAY nor DISPLAY is set, so there is no screen to capture",
                    fix: "try `pixelpass host --source test`"),
        DoctorCheck(name: "clipboard", status: .warning, detail: "quote \" backslash \\ tab \t bell \u{07} é", fix: nil),
    ])

    func testAnyFailureMeansSharingCannotWork() {
        XCTAssertFalse(report.sharingCanWork)
        XCTAssertEqual(report.exitCode, 1)
        let fine = DoctorReport(checks: report.checks.filter { $0.status != .fail })
        XCTAssertTrue(fine.sharingCanWork)
        XCTAssertEqual(fine.exitCode, 0)
    }

    func testTextFitsEightyColumnsAndAlignsDetails() {
        let text = report.renderText()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for line in lines {
            XCTAssertLessThanOrEqual(line.count, 80, "too wide: \(line)")
        }
        XCTAssertEqual(lines[0], "CHECK         STATUS  DETAIL")
        XCTAssertEqual(lines[1], "session       OK      X11 (DISPLAY=:0)")
        XCTAssertTrue(lines[2].hasPrefix("capture       FAIL    no graphical session"))
        // Continuation and fix lines start under the DETAIL column.
        XCTAssertTrue(lines[3].hasPrefix(String(repeating: " ", count: 22)) && lines[3].dropFirst(22).first != " ")
        XCTAssertTrue(text.contains("fix: try `pixelpass host"))
        XCTAssertTrue(text.hasSuffix("Sharing cannot work here yet: fix the FAIL rows above.\n"))
        XCTAssertFalse(text.contains("\u{1B}"))
    }

    func testColourWrapsOnlyTheStatusWord() {
        let text = report.renderText(colour: true)
        XCTAssertTrue(text.contains("session       \u{1B}[32mOK\u{1B}[0m      X11"))
        XCTAssertTrue(text.contains("\u{1B}[1;31mFAIL\u{1B}[0m    "))
        XCTAssertTrue(text.contains("\u{1B}[33mWARN\u{1B}[0m"))
    }

    func testJSONParsesWithTheDocumentedShape() throws {
        let json = report.renderJSON()
        XCTAssertFalse(json.contains("\n"))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        XCTAssertEqual(object["sharing_can_work"] as? Bool, false)
        let checks = try XCTUnwrap(object["checks"] as? [[String: Any]])
        XCTAssertEqual(checks.map { $0["name"] as? String }, ["session", "capture", "clipboard"])
        XCTAssertEqual(checks.map { $0["status"] as? String }, ["ok", "fail", "warning"])
        XCTAssertEqual(checks[2]["detail"] as? String, "quote \" backslash \\ tab \t bell \u{07} é")
        XCTAssertTrue(checks[0]["fix"] is NSNull)
        XCTAssertEqual(checks[1]["fix"] as? String, "try `pixelpass host --source test`")
    }

    func testJSONEscapesControlCharacters() {
        XCTAssertEqual(JSONValue.quoted("a\"b\\c\nd\u{01}"), "\"a\\\"b\\\\c\\nd\\u0001\"")
    }
}
