import Foundation
import XCTest
@testable import PixelpassCore

final class TextWrapTests: XCTestCase {
    func testWrapsAtWordsAndCutsLongWords() {
        XCTAssertEqual(wordWrap("the host is full (4 of 4 viewers)", width: 12), ["the host is", "full (4 of 4", "viewers)"])
        XCTAssertEqual(wordWrap("abcdefghij", width: 4), ["abcd", "efgh", "ij"])
        XCTAssertEqual(wordWrap("", width: 10), [])
    }
}

final class JSONValueTests: XCTestCase {
    func testKeysKeepTheirOrderAndStringsAreEscaped() {
        let value = JSONValue.object([("event", .string("a\"b\\c\n\u{1}")), ("n", .int(3)), ("x", .double(1.5)),
                                      ("ok", .bool(true)), ("none", .null), ("list", .array([.int(1), .string("é")]))])
        XCTAssertEqual(value.rendered, #"{"event":"a\"b\\c\n\u0001","n":3,"x":1.5,"ok":true,"none":null,"list":[1,"é"]}"#)
    }

    func testDoublesHaveAtMostThreeDecimalsAndNoNaN() {
        XCTAssertEqual(JSONValue.double(1795336816.4491234).rendered, "1795336816.449")
        XCTAssertEqual(JSONValue.double(2).rendered, "2")
        XCTAssertEqual(JSONValue.double(.nan).rendered, "null")
    }

    func testRenderedJSONParses() throws {
        let text = JSONValue.object([("k", .string("\t\u{7f}\u{2028}"))]).rendered
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String]
        XCTAssertEqual(parsed?["k"], "\t\u{7f}\u{2028}")
    }
}
