import XCTest
@testable import PixelpassCore

final class ConfigParsingTests: XCTestCase {
    let path = "/home/u/.config/pixelpass/config.toml"

    func parse(_ text: String) throws -> ParsedConfig {
        try PixelpassConfig.parse(text, path: path)
    }

    func testEmptyTextIsAnEmptyConfig() throws {
        XCTAssertEqual(try parse(""), ParsedConfig())
        XCTAssertEqual(try parse("# only a comment\n\n[host]\n[view]\n"), ParsedConfig())
    }

    func testEveryKeyIsReadWithItsLine() throws {
        let parsed = try parse("""
        # my settings
        [host]
        source = "test"
        bitrate = 8000
        fps = 60
        size = "1920x1080"
        max_viewers = 10
        encoder = "x264enc"   # software
        hwencode = false
        audio = false
        bind = "[::]:4433"
        keep_ticket = true

        [view]
        player = 'vlc'
        port = 8080

        [nat]
        stun = ["stun.example.org:3478", "192.0.2.1:3478"]
        turn = "turn:turn.example.org:3478"
        """)
        let expected = PixelpassConfig(
            host: .init(source: .test, bitrate: 8000, fps: 60, size: VideoSize(width: 1920, height: 1080),
                        maxViewers: 10, encoder: .x264enc, hwencode: false, audio: false, bind: "[::]:4433",
                        keepTicket: true),
            view: .init(player: .vlc, port: 8080),
            nat: .init(stun: ["stun.example.org:3478", "192.0.2.1:3478"], turn: "turn:turn.example.org:3478"))
        XCTAssertEqual(parsed.values, expected)
        XCTAssertEqual(parsed.keyLines, [.source: 3, .bitrate: 4, .fps: 5, .size: 6, .maxViewers: 7, .encoder: 8,
                                         .hwencode: 9, .audio: 10, .bind: 11, .keepTicket: 12, .player: 15,
                                         .port: 16, .stun: 19, .turn: 20])
    }

    func testTypedAccessorsForTheCommands() throws {
        let text = "[host]\nfps = 24\n"
        let parsed = try parse(text)
        XCTAssertEqual(parsed.values.host.fps, 24)
        XCTAssertNil(parsed.values.host.bitrate)
        XCTAssertNil(parsed.values.view.player)
    }

    func testDottedKeysAndQuotedKeysAreTheSameKeys() throws {
        let parsed = try parse("""
        host.fps = 12
        [view]
        "port" = 9000
        """)
        XCTAssertEqual(parsed.values.host.fps, 12)
        XCTAssertEqual(parsed.values.view.port, 9000)
        XCTAssertEqual(parsed.keyLines, [.fps: 1, .port: 3])
    }

    func testInlineTableForATable() throws {
        let parsed = try parse("view = { player = \"none\", port = 5000 }\n")
        XCTAssertEqual(parsed.values.view, .init(player: PlayerChoice.none, port: 5000))
        XCTAssertEqual(parsed.keyLines[.port], 1)
    }

    func testUpperCaseSizeAndIPv4Bind() throws {
        let parsed = try parse("[host]\nsize = \"640X360\"\nbind = \"127.0.0.1:0\"\n")
        XCTAssertEqual(parsed.values.host.size, VideoSize(width: 640, height: 360))
        XCTAssertEqual(parsed.values.host.bind, "127.0.0.1:0")
    }

    func testMultilineArrayKeepsLinesOfLaterKeys() throws {
        let parsed = try parse("""
        [nat]
        stun = [
          "a.example:3478",  # first
          "b.example:3478",
        ]
        turn = "turn:t.example:3478"
        """)
        XCTAssertEqual(parsed.values.nat.stun, ["a.example:3478", "b.example:3478"])
        XCTAssertEqual(parsed.keyLines, [.stun: 2, .turn: 6])
    }

    func testSyntaxErrorNamesPathLineAndColumn() {
        XCTAssertThrowsError(try parse("[host]\nfps = 30\nbitrate = \n")) { error in
            guard case ConfigError.syntax(let path, let line, _, let message) = error else {
                return XCTFail("expected a syntax error, got \(error)")
            }
            XCTAssertEqual(path, self.path)
            XCTAssertEqual(line, 3)
            XCTAssertFalse(message.isEmpty)
            XCTAssertTrue("\(error)".hasPrefix("\(self.path):3:"), "\(error)")
            XCTAssertTrue("\(error)".contains("not valid TOML"), "\(error)")
        }
    }

    func testSyntaxErrorsOnLaterLines() {
        let cases: [(String, Int)] = [
            ("[host\n", 1),
            ("[host]\nfps = 30\nfps = 31\n", 3),            // duplicate key
            ("[host]\n\n\nsize = \"1280x720\n", 4),          // unterminated string
            ("[view]\nport = 80 80\n", 2),
        ]
        for (text, line) in cases {
            XCTAssertThrowsError(try parse(text), text) { error in
                guard case ConfigError.syntax(_, let got, _, _) = error else {
                    return XCTFail("expected a syntax error for \(text.debugDescription), got \(error)")
                }
                XCTAssertEqual(got, line, "\(text.debugDescription): \(error)")
            }
        }
    }

    func testVideoSizeParsing() {
        XCTAssertEqual(VideoSize(parsing: "16x16")?.description, "16x16")
        XCTAssertEqual(VideoSize(parsing: "7680x4320")?.description, "7680x4320")
        for bad in ["", "x", "1280", "1280x", "x720", "1281x720", "1280x721", "14x16", "7682x720", "1280x4322",
                    "-1280x720", "+1280x720", "1280x720x2", " 1280x720", "１２８０x720"] {
            XCTAssertNil(VideoSize(parsing: bad), bad)
        }
    }
}
