import XCTest
import PixelpassNAT

final class NATAddressTests: XCTestCase {
    func testParsesAndPrintsCanonically() {
        let cases: [(String, String)] = [
            ("1.2.3.4:5", "1.2.3.4:5"),
            ("255.255.255.255:65535", "255.255.255.255:65535"),
            ("[::1]:5", "[::1]:5"),
            ("[::]:3478", "[::]:3478"),
            ("[2001:DB8:0:0:1:0:0:1]:1", "[2001:db8::1:0:0:1]:1"),
            ("[2001:db8:0:0:0:0:2:1]:1", "[2001:db8::2:1]:1"),
            ("[2001:db8:0:1:1:1:1:1]:1", "[2001:db8:0:1:1:1:1:1]:1"),
            ("[1:0:0:2:0:0:0:3]:9", "[1:0:0:2::3]:9"),
            ("[fe80::]:1", "[fe80::]:1"),
            ("[::ffff:192.0.2.1]:7", "[::ffff:192.0.2.1]:7"),
            ("[::ffff:c000:201]:7", "[::ffff:192.0.2.1]:7"),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(NATAddress(input)?.description, expected, input)
        }
    }

    func testRejectsMalformedText() {
        for bad in ["", "1.2.3.4", "1.2.3.4:", "1.2.3.4:65536", "1.2.3:4", "1.2.3.256:4", "01234.1.1.1:1",
                    "::1:5", "[::1]", "[::1]5", "[1.2.3.4]:5", "[1:2:3:4:5:6:7:8:9]:1", "[1::2::3]:1",
                    "[12345::]:1", "[:1]:1", "[1:2:3:4:5:6:7]:1", "host.example:3478", "1.2.3.4:-1", "[::g]:1"] {
            XCTAssertNil(NATAddress(bad), bad)
        }
    }

    func testBytesRoundTrip() {
        XCTAssertEqual(NATIP("192.0.2.1")?.bytes, [192, 0, 2, 1])
        XCTAssertEqual(NATIP("2001:db8::1")?.bytes, [0x20, 0x01, 0x0D, 0xB8] + Array(repeating: 0, count: 11) + [1])
        XCTAssertEqual(NATIP(bytes: [10, 0, 0, 1]), NATIP("10.0.0.1"))
        XCTAssertNil(NATIP(bytes: [1, 2, 3]))
        XCTAssertEqual(NATIP(bytes: NATIP("2001:db8::5")!.bytes), NATIP("2001:db8::5"))
    }
}
