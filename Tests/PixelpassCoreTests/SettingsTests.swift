import NIOCore
import PixelpassMedia
import XCTest
@testable import PixelpassCore

/// The setting types: one parser each, shared by the config file and the
/// command line, so inputs the two used to judge differently get one answer.
final class SettingsTests: XCTestCase {
    /// The `SettingError` that `parse` throws, as users see it.
    private func message(_ parse: () throws -> Void) -> String? {
        do {
            try parse()
            return nil
        } catch let error as SettingError {
            return error.description
        } catch {
            return "not a SettingError: \(error)"
        }
    }

    func testEncoderNamesAreThePipelinesEncoders() {
        XCTAssertEqual(EncoderName.allCases.map(\.rawValue), ["auto"] + VideoEncoder.allCases.map(\.name))
        for name in EncoderName.allCases {
            XCTAssertEqual(try EncoderName(validating: name.rawValue), name)
        }
        XCTAssertEqual(EncoderName.x264enc, .element(.x264enc))
        XCTAssertEqual(EncoderName.allCases.filter(\.isHardware), [.vah264enc, .vaapih264enc, .nvh264enc])
    }

    func testEncoderChoice() {
        XCTAssertEqual(EncoderName.auto.choice(allowHardware: false), .automatic(allowHardware: false))
        XCTAssertEqual(EncoderName.openh264enc.choice(allowHardware: true), .named("openh264enc"))
    }

    func testNamedSettingsRejectOtherNamesWithASuggestion() {
        XCTAssertEqual(message { _ = try EncoderName(validating: "x265enc") },
                       "encoder must be one of auto, vah264enc, vaapih264enc, nvh264enc, x264enc, openh264enc "
                       + "(got \"x265enc\"); did you mean \"x264enc\"?")
        XCTAssertEqual(message { _ = try EncoderName(validating: "X264ENC ") }.map { $0.hasSuffix("did you mean \"x264enc\"?") },
                       true, "case and spaces are not forgiven, only suggested")
        XCTAssertEqual(message { _ = try CaptureSourceName(validating: "screen") },
                       "source must be one of auto, x11, portal, pipewire, test, clock, busy (got \"screen\")")
        XCTAssertEqual(message { _ = try PlayerChoice(validating: "auto") },
                       "player must be one of mpv, vlc, none (leave it out to pick automatically) (got \"auto\")")
        XCTAssertEqual(try CaptureSourceName(validating: "pipewire"), .pipewire)
        XCTAssertEqual(CaptureSourceName.allCases.filter(\.isSynthetic), [.test, .clock, .busy],
                       "the sources with their own tone, which --app cannot go with")
    }

    func testIntegerRanges() throws {
        XCTAssertEqual(try Bitrate(100).value, 100)
        XCTAssertEqual(try Bitrate(validating: "100000").value, 100_000)
        XCTAssertEqual(message { _ = try Bitrate(99) }, "bitrate must be an integer between 100 and 100000, in kbit/s (got 99)")
        XCTAssertEqual(message { _ = try Bitrate(validating: "fast") },
                       "bitrate must be an integer between 100 and 100000, in kbit/s (got \"fast\")")
        XCTAssertEqual(message { _ = try FrameRate(121) }, "fps must be an integer between 1 and 120 (got 121)")
        XCTAssertEqual(message { _ = try ViewerLimit(0) }, "max_viewers must be an integer between 1 and 64 (got 0)")
        XCTAssertEqual(message { _ = try RelayPort(65536) }, "port must be an integer between 1 and 65535 (got 65536)")
        XCTAssertEqual(try RelayPort(validating: "8080").value, 8080)
    }

    func testVideoSize() throws {
        XCTAssertEqual(try VideoSize(validating: "1280X720").description, "1280x720")
        let message = "size must be \"WIDTHxHEIGHT\" with even numbers, width 16-7680 and height 16-4320, e.g. \"1280x720\""
        // The flag used to take the first three (split dropped empty parts, Int took a sign).
        for bad in ["x1280x720", "1280x720x", "+16x16", "1281x720", "14x16", "7682x720", "1280x4322", "1280×720", ""] {
            XCTAssertEqual(self.message { _ = try VideoSize(validating: bad) }, "\(message) (got \"\(bad)\")", bad)
        }
    }

    func testBindAddress() throws {
        let bind = try BindAddress(validating: "[::1]:4433")
        XCTAssertEqual(bind.socketAddress, try SocketAddress(ipAddress: "::1", port: 4433))
        XCTAssertEqual(bind.description, "[::1]:4433")
        XCTAssertEqual(try BindAddress(validating: "0.0.0.0:0").socketAddress.port, 0)
        // The flag used to take the first two: an IPv6 address without
        // brackets (its last group read as the port) and a signed port.
        for bad in ["::1:4433", "0.0.0.0:+80", "0.0.0.0:65536", "localhost:4433", "0.0.0.0", "[::1]4433", "[::1]:", "0.0.0.0:４４"] {
            XCTAssertEqual(message { _ = try BindAddress(validating: bad) },
                           "bind must be \"ADDRESS:PORT\" with an IP address, e.g. \"0.0.0.0:4433\" or \"[::]:4433\" (got \"\(bad)\")",
                           bad)
        }
    }

    func testSTUNServer() throws {
        XCTAssertEqual(try STUNServer(validating: "stun.example.org:3478").description, "stun.example.org:3478")
        XCTAssertEqual(try STUNServer(validating: "[2001:db8::1]:3478").text, "[2001:db8::1]:3478")
        for bad in ["stun.example.org", ":3478", "host:0", "host:65536", "host:port", "none"] {
            XCTAssertEqual(message { _ = try STUNServer(validating: bad) },
                           "stun must be HOST:PORT, e.g. stun.example.org:3478 (got \"\(bad)\")", bad)
        }
    }

    /// The file now checks each STUN server as the flag does; before, a
    /// bad one was only caught when `host` started.
    func testConfigFileChecksSTUNServersLikeTheFlag() {
        XCTAssertThrowsError(try PixelpassConfig.parse("[nat]\nstun = [\"a:1\", \"nonsense\"]\n", path: "c.toml")) { error in
            XCTAssertEqual("\(error)", "c.toml:2: stun must be an array of \"host:port\" strings (got an element \"nonsense\")")
        }
    }

    /// A value the flag now rejects is rejected by the file with the same setting's words.
    func testConfigFileAndFlagAgreeOnBind() {
        XCTAssertThrowsError(try PixelpassConfig.parse("[host]\nbind = \"::1:4433\"\n", path: "c.toml"))
        XCTAssertThrowsError(try BindAddress(validating: "::1:4433"))
    }

    /// The TURN URL's decisions, pinned: what the relay setting parser has
    /// always decided, with or without a REST secret, through both ways in
    /// (the config's `TURNServerURL` and `TURNServerSetting.parse`).
    func testTURNServerURLAgreesWithTheRelaySettingParser() {
        let urls = ["turn:alice:s3cret@192.0.2.10:3478", "turn:bob:a:b@c@turn.example.org:3478", "turn:turn.example.org:3478",
                    "turn.example.org:3478", "turn:nouser@host:1", "turn:host", "turn::pw@host:1", "turn:u:@host:1",
                    "turn:u:p@host", "turn:u:p@[2001:db8::1]:3478", "turn:", "TURN:host:1", ""]
        let logins: [String: (server: String, username: String, password: String)] = [
            "turn:alice:s3cret@192.0.2.10:3478": ("192.0.2.10:3478", "alice", "s3cret"),
            "turn:bob:a:b@c@turn.example.org:3478": ("turn.example.org:3478", "bob", "a:b@c"),
            "turn:u:@host:1": ("host:1", "u", ""),
            "turn:u:p@[2001:db8::1]:3478": ("[2001:db8::1]:3478", "u", "p"),
        ]
        for url in urls {
            for secret in [nil, "", "k"] {
                let expected: TURNServerSetting?
                if let login = logins[url] {
                    expected = TURNServerSetting(server: login.server,
                                                 auth: .password(username: login.username, password: login.password))
                } else if url == "turn:turn.example.org:3478", secret == "k" {
                    expected = TURNServerSetting(server: "turn.example.org:3478", auth: .restSecret("k"))
                } else {
                    expected = nil
                }
                let parsed = try? TURNServerURL(validating: url)
                XCTAssertEqual(parsed?.setting(secret: secret), expected, "\(url) \(secret ?? "nil")")
                XCTAssertEqual(TURNServerSetting.parse(url, secret: secret), expected, "\(url) \(secret ?? "nil")")
            }
        }
        XCTAssertEqual(message { _ = try TURNServerURL(validating: "turn:host") },
                       "turn needs a port: turn:HOST:3478 is the usual one (got \"turn:host\")")
        XCTAssertEqual(message { _ = try TURNServerURL(validating: "stun:host:1") },
                       "turn must be a string \"turn:USER:PASS@HOST:PORT\" or \"turn:HOST:PORT\" with turn_secret"
                       + " (\"turns:\" for TLS, \"?transport=tcp\" for TCP) (got \"stun:host:1\")")
    }
}
