import XCTest
@testable import PixelpassCore

final class ConfigKeyLinesTests: XCTestCase {
    func testHeadersAndKeys() {
        let lines = TOMLKeyLines.scan("""
        # comment with fps = 1
        [host]   # trailing comment
          fps = 30
        [ "view" ]
        'port' = 1
        """)
        XCTAssertEqual(lines, [["host"]: 2, ["host", "fps"]: 3, ["view"]: 4, ["view", "port"]: 5])
    }

    func testValuesSpanningLinesAreNotReadAsKeys() {
        let lines = TOMLKeyLines.scan("""
        [nat]
        turn = \"\"\"
        fps = 1
        \"\"\"
        stun = [
          "x = 1", # fps = 2
          [ "nested" ],
        ]
        other = '''
        port = 3'''
        inline = { a = "}", b = [1, 2] }
        last = "a\\"b = 4"
        """)
        XCTAssertEqual(lines, [["nat"]: 1, ["nat", "turn"]: 2, ["nat", "stun"]: 5, ["nat", "other"]: 9,
                               ["nat", "inline"]: 11, ["nat", "last"]: 12])
    }

    func testDottedKeysRecordTheirPrefixes() {
        let lines = TOMLKeyLines.scan("\nhost.fps = 1\nhost . bitrate = 2\n[a.b]\nc.d = 3\n")
        XCTAssertEqual(lines, [["host"]: 2, ["host", "fps"]: 2, ["host", "bitrate"]: 3,
                               ["a"]: 4, ["a", "b"]: 4, ["a", "b", "c"]: 5, ["a", "b", "c", "d"]: 5])
    }

    func testNearestEnclosingLine() {
        let lines: [[String]: Int] = [["view"]: 4]
        XCTAssertEqual(TOMLKeyLines.line(of: ["view", "port"], in: lines), 4)
        XCTAssertNil(TOMLKeyLines.line(of: ["host", "fps"], in: lines))
    }

    func testArrayOfTablesAndCRLF() {
        let lines = TOMLKeyLines.scan("[[host]]\r\nfps = 1\r\n\r\n[view]\r\nport = 2\r\n")
        XCTAssertEqual(lines, [["host"]: 1, ["host", "fps"]: 2, ["view"]: 4, ["view", "port"]: 5])
    }
}
