import XCTest
@testable import PixelpassCore

/// `turn:` / `turns:` URLs with transports: what each form means, and what
/// each bad form says (the flag and the config file share this parser).
final class TURNServerURLTransportTests: XCTestCase {
    func testValidForms() throws {
        let table: [(String, String, TURNTransport, String?)] = [
            ("turn:u:p@192.0.2.1:3478", "192.0.2.1:3478", .udp, "u"),
            ("turn:u:p@192.0.2.1:3478?transport=udp", "192.0.2.1:3478", .udp, "u"),
            ("turn:u:p@turn.example.org:3478?transport=tcp", "turn.example.org:3478", .tcp, "u"),
            ("turns:u:p@turn.example.org:5349", "turn.example.org:5349", .tls, "u"),
            ("turns:u:p@turn.example.org:443?transport=tcp", "turn.example.org:443", .tls, "u"),
            ("turns:turn.example.org:443", "turn.example.org:443", .tls, nil),
            ("turn:[2001:db8::1]:3478?transport=tcp", "[2001:db8::1]:3478", .tcp, nil),
            // '?' and '@' in a password stay in the password.
            ("turns:bob:a?b@c@127.0.0.1:5349", "127.0.0.1:5349", .tls, "bob"),
        ]
        for (text, server, transport, user) in table {
            let url = try TURNServerURL(validating: text)
            XCTAssertEqual(url.server, server, text)
            XCTAssertEqual(url.transport, transport, text)
            XCTAssertEqual(url.login?.username, user, text)
            XCTAssertEqual(url.setting(secret: "k")?.transport, transport, text)
        }
        XCTAssertEqual(try TURNServerURL(validating: "turns:bob:a?b@c@127.0.0.1:5349").login?.password, "a?b@c")
    }

    func testHostNameIsWhatTLSChecks() {
        XCTAssertEqual(TURNServerSetting(server: "turn.example.org:5349", auth: .restSecret("k")).hostName, "turn.example.org")
        XCTAssertEqual(TURNServerSetting(server: "[2001:db8::1]:5349", auth: .restSecret("k")).hostName, "2001:db8::1")
        XCTAssertEqual(TURNServerSetting(server: "127.0.0.1:5349", auth: .restSecret("k")).hostName, "127.0.0.1")
    }

    func testBadFormsSayWhatIsWrong() {
        let table: [(String, String)] = [
            ("turn:u:p@h:3478?transport=sctp",
             "turn has an unknown transport \"sctp\": use ?transport=udp or ?transport=tcp, or turns: for TLS"),
            ("turns:u:p@h:5349?transport=udp",
             "turn cannot be turns: with transport=udp (that would be DTLS, which pixelpass does not speak): use turns:HOST:PORT for TLS over TCP"),
            ("turn:u:p@h:3478?proto=tcp",
             "turn takes only the parameter ?transport=udp or ?transport=tcp, not \"proto=tcp\""),
            ("turn:u:p@h:3478?", "turn takes only the parameter ?transport=udp or ?transport=tcp, not \"\""),
            ("turns:u:p@turn.example.org",
             "turn needs a port: turns:HOST:5349 (coturn's TLS port) or turns:HOST:443 (most commercial services)"),
            ("turn:u:p@turn.example.org?transport=tcp", "turn needs a port: turn:HOST:3478 is the usual one"),
        ]
        for (text, expected) in table {
            XCTAssertThrowsError(try TURNServerURL(validating: text), text) { error in
                XCTAssertEqual((error as? SettingError)?.description, "\(expected) (got \"\(text)\")")
            }
        }
        for text in ["turnss:h:1", "turns:", "turns:u@h:1", "turn:u:p@h:70000?transport=tcp", "TURNS:h:1"] {
            XCTAssertThrowsError(try TURNServerURL(validating: text), text)
        }
    }
}
