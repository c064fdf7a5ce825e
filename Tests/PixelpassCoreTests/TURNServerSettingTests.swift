import XCTest
@testable import PixelpassCore

final class TURNServerSettingTests: XCTestCase {
    func testLongTermCredentialsInTheURL() {
        XCTAssertEqual(TURNServerSetting.parse("turn:alice:s3cret@192.0.2.10:3478", secret: nil),
                       TURNServerSetting(server: "192.0.2.10:3478", auth: .password(username: "alice", password: "s3cret")))
        // A password may contain ':'; the last '@' ends the user part.
        XCTAssertEqual(TURNServerSetting.parse("turn:bob:a:b@c@turn.example.org:3478", secret: nil)?.auth,
                       .password(username: "bob", password: "a:b@c"))
    }

    func testRESTSecretWithAServerOnly() {
        XCTAssertEqual(TURNServerSetting.parse("turn:turn.example.org:3478", secret: "k"),
                       TURNServerSetting(server: "turn.example.org:3478", auth: .restSecret("k")))
    }

    func testMalformed() {
        XCTAssertNil(TURNServerSetting.parse("turn.example.org:3478", secret: nil), "no turn: scheme")
        XCTAssertNil(TURNServerSetting.parse("turn:turn.example.org:3478", secret: nil), "no credentials at all")
        XCTAssertNil(TURNServerSetting.parse("turn:nouser@host:1", secret: nil), "user without password")
        XCTAssertNil(TURNServerSetting.parse("turn:host", secret: "k"), "no port")
    }

    func testRESTCredentialsAreMintedFromTheSecret() {
        let setting = TURNServerSetting(server: "x:1", auth: .restSecret("secret"))
        let credentials = setting.credentials(name: "viewer", validFor: 600, unixNow: 1_000)
        XCTAssertEqual(credentials.username, "1600:viewer")
        XCTAssertFalse(credentials.password.isEmpty)
        let fixed = TURNServerSetting(server: "x:1", auth: .password(username: "u", password: "p"))
        XCTAssertEqual(fixed.credentials(name: "viewer", unixNow: 1_000).username, "u")
    }
}
