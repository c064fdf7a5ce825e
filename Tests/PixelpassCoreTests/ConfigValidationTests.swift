import XCTest
@testable import PixelpassCore

final class ConfigValidationTests: XCTestCase {
    let path = "/home/u/.config/pixelpass/config.toml"

    /// The problems `text` is rejected with, as `LINE: message`.
    func problems(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [String] {
        do {
            let parsed = try PixelpassConfig.parse(text, path: path)
            XCTFail("expected \(text.debugDescription) to be rejected, got \(parsed)", file: file, line: line)
            return []
        } catch {
            guard case .invalid(let errorPath, let problems) = error else {
                XCTFail("expected a validation error, got \(error)", file: file, line: line)
                return []
            }
            XCTAssertEqual(errorPath, path, file: file, line: line)
            return problems.map { "\($0.line.map(String.init) ?? "?"): \($0.message)" }
        }
    }

    func testTheExampleFromTheDesign() {
        XCTAssertThrowsError(try PixelpassConfig.parse("[host]\n\nfps = \"fast\"\n", path: path)) { error in
            XCTAssertEqual("\(error)",
                           "/home/u/.config/pixelpass/config.toml:3: fps must be an integer between 1 and 120 (got \"fast\")")
        }
    }

    func testEachHostValueOutOfRangeOrOfTheWrongType() {
        let cases: [(String, String)] = [
            ("source = \"screen\"", "source must be one of auto, x11, portal, pipewire, test, clock, busy (got \"screen\")"),
            ("source = \"X11\"", "source must be one of auto, x11, portal, pipewire, test, clock, busy (got \"X11\"); did you mean \"x11\"?"),
            ("bitrate = 99", "bitrate must be an integer between 100 and 100000, in kbit/s (got 99)"),
            ("bitrate = 100001", "bitrate must be an integer between 100 and 100000, in kbit/s (got 100001)"),
            ("bitrate = \"4000\"", "bitrate must be an integer between 100 and 100000, in kbit/s (got \"4000\")"),
            ("fps = 0", "fps must be an integer between 1 and 120 (got 0)"),
            ("fps = 121", "fps must be an integer between 1 and 120 (got 121)"),
            ("fps = 29.97", "fps must be an integer between 1 and 120 (got 29.97)"),
            ("fps = true", "fps must be an integer between 1 and 120 (got true)"),
            ("size = \"1281x720\"", "size must be \"WIDTHxHEIGHT\" with even numbers, width 16-7680 and height 16-4320, e.g. \"1280x720\" (got \"1281x720\")"),
            ("size = 1280", "size must be \"WIDTHxHEIGHT\" with even numbers, width 16-7680 and height 16-4320, e.g. \"1280x720\" (got 1280)"),
            ("max_viewers = 0", "max_viewers must be an integer between 1 and 64 (got 0)"),
            ("max_viewers = 65", "max_viewers must be an integer between 1 and 64 (got 65)"),
            ("encoder = \"x265enc\"", "encoder must be one of auto, vah264enc, vaapih264enc, nvh264enc, x264enc, openh264enc (got \"x265enc\"); did you mean \"x264enc\"?"),
            ("hwencode = \"yes\"", "hwencode must be true or false, without quotes (got \"yes\")"),
            ("audio = 1", "audio must be true or false, without quotes (got 1)"),
            ("keep_ticket = \"true\"", "keep_ticket must be true or false, without quotes (got \"true\")"),
            ("bind = \"localhost:4433\"", "bind must be \"ADDRESS:PORT\" with an IP address, e.g. \"0.0.0.0:4433\" or \"[::]:4433\" (got \"localhost:4433\")"),
            ("bind = \"0.0.0.0\"", "bind must be \"ADDRESS:PORT\" with an IP address, e.g. \"0.0.0.0:4433\" or \"[::]:4433\" (got \"0.0.0.0\")"),
            ("bind = \"0.0.0.0:65536\"", "bind must be \"ADDRESS:PORT\" with an IP address, e.g. \"0.0.0.0:4433\" or \"[::]:4433\" (got \"0.0.0.0:65536\")"),
            ("bind = \"::1:4433\"", "bind must be \"ADDRESS:PORT\" with an IP address, e.g. \"0.0.0.0:4433\" or \"[::]:4433\" (got \"::1:4433\")"),
            ("bind = 4433", "bind must be \"ADDRESS:PORT\" with an IP address, e.g. \"0.0.0.0:4433\" or \"[::]:4433\" (got 4433)"),
        ]
        for (statement, message) in cases {
            XCTAssertEqual(problems("# comment\n[host]\n\(statement)\n"), ["3: \(message)"], statement)
        }
    }

    func testEachViewAndNATValue() {
        let cases: [(String, String, String)] = [
            ("view", "player = \"totem\"", "player must be one of mpv, vlc, none (leave it out to pick automatically) (got \"totem\")"),
            ("view", "player = \"auto\"", "player must be one of mpv, vlc, none (leave it out to pick automatically) (got \"auto\")"),
            ("view", "port = 0", "port must be an integer between 1 and 65535 (got 0)"),
            ("view", "port = 65536", "port must be an integer between 1 and 65535 (got 65536)"),
            ("view", "port = \"8080\"", "port must be an integer between 1 and 65535 (got \"8080\")"),
            ("nat", "stun = \"stun.example.org:3478\"", "stun must be an array of \"host:port\" strings, e.g. [\"stun.example.org:3478\"] (got \"stun.example.org:3478\")"),
            ("nat", "stun = [\"a:1\", 2]", "stun must be an array of \"host:port\" strings (got an element 2)"),
            ("nat", "turn = [\"a\"]", "turn must be a string \"turn:USER:PASS@HOST:PORT\" or \"turn:HOST:PORT\" with turn_secret (\"turns:\" for TLS, \"?transport=tcp\" for TCP) (got an array)"),
            ("nat", "turn = \"turn.example.org:3478\"", "turn must be a string \"turn:USER:PASS@HOST:PORT\" or \"turn:HOST:PORT\" with turn_secret (\"turns:\" for TLS, \"?transport=tcp\" for TCP) (got \"turn.example.org:3478\")"),
            ("nat", "turn_secret = \"\"", "turn_secret must be a non-empty string: coturn's static-auth-secret (got \"\")"),
            ("nat", "turn = 1979-05-27", "turn must be a string \"turn:USER:PASS@HOST:PORT\" or \"turn:HOST:PORT\" with turn_secret (\"turns:\" for TLS, \"?transport=tcp\" for TCP) (got a date)"),
        ]
        for (table, statement, message) in cases {
            XCTAssertEqual(problems("[\(table)]\n\n\(statement)\n"), ["3: \(message)"], statement)
        }
    }

    func testEmptyStunListIsFine() throws {
        XCTAssertEqual(try PixelpassConfig.parse("[nat]\nstun = []\n", path: path).values.nat.stun, [])
    }

    func testUnknownKeySuggestsTheClosestOne() {
        XCTAssertEqual(problems("[host]\nfps = 30\nbitrte = 5000\n"),
                       ["3: unknown key \"bitrte\" in [host] (did you mean \"bitrate\"?)"])
        XCTAssertEqual(problems("[host]\nmax-viewers = 2\n"),
                       ["2: unknown key \"max-viewers\" in [host] (did you mean \"max_viewers\"?)"])
        XCTAssertEqual(problems("[host]\nFPS = 2\n"),
                       ["2: unknown key \"FPS\" in [host] (did you mean \"fps\"?)"])
        XCTAssertEqual(problems("[host]\nplayer = \"mpv\"\n"),
                       ["2: unknown key \"player\" in [host] (\"player\" goes in [view])"])
        XCTAssertEqual(problems("[view]\ncolour = \"red\"\n"),
                       ["2: unknown key \"colour\" in [view] (known keys: player, port, name)"])
    }

    func testUnknownTableSuggestsTheClosestOne() {
        XCTAssertEqual(problems("[hots]\nfps = 30\n"), ["1: unknown table [hots] (did you mean [host]?)"])
        XCTAssertEqual(problems("\n[viewer]\n"), ["2: unknown table [viewer] (did you mean [view]?)"])
        XCTAssertEqual(problems("[audio]\n"), ["1: unknown table [audio] (pixelpass reads [host], [view] and [nat])"])
    }

    func testNestedTableInAKnownTableIsAnUnknownKey() {
        XCTAssertEqual(problems("[host]\nfps = 30\n[host.extra]\na = 1\n"),
                       ["3: unknown key \"extra\" in [host] (known keys: source, bitrate, bitrate_mode, bitrate_floor, fps, size, max_viewers, encoder, hwencode, audio, bind, app, keep_ticket, approve)"])
    }

    func testKeysOutsideAnyTable() {
        XCTAssertEqual(problems("fps = 30\n[host]\n"), ["1: \"fps\" is outside any table: put it below a [host] line"])
        XCTAssertEqual(problems("prot = 30\n"),
                       ["1: \"prot\" is outside any table (did you mean \"port\"?): put it below a [view] line"])
        XCTAssertEqual(problems("colour = 3\n"),
                       ["1: unknown key \"colour\" outside any table (pixelpass reads [host], [view] and [nat])"])
        XCTAssertEqual(problems("host = 3\n"),
                       ["1: host must be a table: a line [host] followed by its keys (got 3)"])
        XCTAssertEqual(problems("[[host]]\nfps = 3\n"),
                       ["1: host must be a table: a line [host] followed by its keys (got an array)"])
    }

    func testHardwareEncoderWithHardwareEncodingOff() {
        XCTAssertEqual(problems("[host]\nhwencode = false\nencoder = \"nvh264enc\"\n"),
                       ["3: encoder \"nvh264enc\" is a hardware encoder, but hwencode = false (line 2): remove one of them"])
        XCTAssertNoThrow(try PixelpassConfig.parse("[host]\nhwencode = false\nencoder = \"x264enc\"\n", path: path))
    }

    func testAllProblemsAreReportedInFileOrder() {
        let text = """
        [view]
        port = 0
        [host]
        zzz = 1
        fps = 500
        aaa = 2
        [hots]
        """
        XCTAssertEqual(problems(text).map { $0.prefix(while: { $0 != ":" }) }, ["2", "4", "5", "6", "7"])
        XCTAssertThrowsError(try PixelpassConfig.parse(text, path: path)) { error in
            let lines = "\(error)".split(separator: "\n")
            XCTAssertEqual(lines.count, 5)
            XCTAssertTrue(lines.allSatisfy { $0.hasPrefix("\(self.path):") }, "\(error)")
        }
    }

    func testSuggestionDistances() {
        XCTAssertEqual(ConfigSuggestion.editDistance("hots", "host"), 1)
        XCTAssertEqual(ConfigSuggestion.editDistance("bitrte", "bitrate"), 1)
        XCTAssertEqual(ConfigSuggestion.editDistance("", "abc"), 3)
        XCTAssertNil(ConfigSuggestion.closest(to: "zz", among: ["fps", "port"]))
        XCTAssertNil(ConfigSuggestion.closest(to: "size2x", among: ["fps", "port"]))
        XCTAssertEqual(ConfigSuggestion.closest(to: "ecnoder", among: ConfigKey.allCases.map(\.name)), "encoder")
    }
}
