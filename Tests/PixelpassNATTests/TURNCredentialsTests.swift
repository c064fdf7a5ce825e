import XCTest
@testable import PixelpassNAT

final class TURNCredentialsTests: XCTestCase {
    func testRESTCredentialsMatchAnIndependentComputation() {
        // python3 -c 'import hmac,hashlib,base64; u="1700003600:alice";
        //   print(base64.b64encode(hmac.new(b"north-wind-secret", u.encode(), hashlib.sha1).digest()).decode())'
        // → Ev9WJy6IiNjALah9jF2ImB4FP0Y=
        let credentials = TURNCredentials.rest(secret: "north-wind-secret", name: "alice", validFor: 3600, now: 1_700_000_000)
        XCTAssertEqual(credentials.username, "1700003600:alice")
        XCTAssertEqual(credentials.password, "Ev9WJy6IiNjALah9jF2ImB4FP0Y=")
    }

    func testRESTCredentialsWithoutName() {
        let credentials = TURNCredentials.rest(secret: "s", name: "", validFor: 60, now: 100)
        XCTAssertEqual(credentials.username, "160")
    }

    func testBase64Padding() {
        // RFC 4648 §10 test vectors.
        let cases = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (input, expected) in cases {
            XCTAssertEqual(Base64.encode(Array(input.utf8)), expected, input)
        }
    }

    func testCRC32KnownValue() {
        // The CRC-32 check value of "123456789" (ISO-HDLC).
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
    }

    func testHMACSHA1KnownValue() {
        // RFC 2202 test case 2.
        XCTAssertEqual(Crypto.hmacSHA1(key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8)),
                       hexBytes("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"))
    }
}
