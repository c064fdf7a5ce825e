import XCTest
import PixelpassTicket

final class TicketAddressTests: XCTestCase {
    func testParsesIPv4() throws {
        let address = try XCTUnwrap(TicketAddress("192.168.1.20:41641"))
        XCTAssertEqual(address.host, .ipv4([192, 168, 1, 20]))
        XCTAssertEqual(address.port, 41641)
        XCTAssertEqual(address.hostString, "192.168.1.20")
        XCTAssertEqual(address.description, "192.168.1.20:41641")
        XCTAssertEqual(TicketAddress("0.0.0.0:1")?.host, .ipv4([0, 0, 0, 0]))
        XCTAssertEqual(TicketAddress("255.255.255.255:65535")?.port, 65535)
    }

    func testParsesIPv6() throws {
        let loopback = try XCTUnwrap(TicketAddress("[::1]:5678"))
        XCTAssertEqual(loopback.host, .ipv6(Array(repeating: 0, count: 15) + [1]))
        XCTAssertEqual(loopback.port, 5678)
        XCTAssertEqual(loopback.hostString, "::1")
        XCTAssertEqual(loopback.description, "[::1]:5678")

        let cases: [(String, [UInt8])] = [
            ("[2001:db8::1]:443", [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [1]),
            ("[::]:1", Array(repeating: 0, count: 16)),
            ("[1:2:3:4:5:6:7:8]:9", [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]),
            ("[1:2:3:4:5:6:7::]:9", [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0]),
            ("[::ffff:1.2.3.4]:80", Array(repeating: 0, count: 10) + [0xFF, 0xFF, 1, 2, 3, 4]),
            ("[2001:DB8::A]:1", [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [0x0A]),
        ]
        for (text, bytes) in cases {
            XCTAssertEqual(TicketAddress(text)?.host, .ipv6(bytes), text)
        }
    }

    func testRejectsBadText() {
        let bad = [
            "", "1.2.3.4", "1.2.3.4:", "1.2.3.4:0", "1.2.3.4:65536", "1.2.3.4:123456", "1.2.3.4:+80",
            "1.2.3.4:-1", "1.2.3.4:8a", "1.2.3:4", "1.2.3.4.5:6", "256.1.1.1:1", "01.2.3.4:5", "1..3.4:5",
            "a.b.c.d:1", "example.com:80", " 1.2.3.4:5", "1.2.3.4:5 ",
            "::1:5678", "[::1]", "[::1]5678", "[::1:5678", "[::1]:", "[::1]:0", "[]:1",
            "[1::2::3]:4", "[1:2:3:4:5:6:7:8:9]:1", "[1:2:3:4:5:6:7]:1", "[1:2:3:4:5:6:7:8::]:1",
            "[12345::]:1", "[fe80::1%eth0]:1", "[1.2.3.4::]:1", "[:::]:1", "[:1::]:1", "[1::2:]:1",
            "[::ffff:1.2.3.4:5]:1", "[::g]:1", "[1.2.3.4]:5",
        ]
        for text in bad {
            XCTAssertNil(TicketAddress(text), "\"\(text)\" should not parse")
        }
    }

    func testFormatsIPv6PerRFC5952() {
        func format(_ groups: [UInt16]) -> String {
            TicketAddress(host: .ipv6(groups.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }), port: 1).hostString
        }
        XCTAssertEqual(format([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]), "2001:db8::1:0:0:1", "first of equal runs")
        XCTAssertEqual(format([0x2001, 0, 0, 1, 0, 0, 0, 1]), "2001:0:0:1::1", "longest run")
        XCTAssertEqual(format([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1]), "2001:db8:0:1:1:1:1:1", "a lone zero stays")
        XCTAssertEqual(format([0, 0, 0, 0, 0, 0, 0, 0]), "::")
        XCTAssertEqual(format([1, 0, 0, 0, 0, 0, 0, 0]), "1::")
        XCTAssertEqual(format([0xABCD, 0x00EF, 0, 0, 0, 0, 0, 0x10]), "abcd:ef::10")
        XCTAssertEqual(format([0, 0, 0, 0, 0, 0xFFFF, 0x0102, 0x0304]), "::ffff:1.2.3.4")
    }

    func testDescriptionParsesBack() {
        for text in ["10.0.0.1:9", "[2001:db8::1:0:0:1]:443", "[::ffff:1.2.3.4]:80", "[::]:1", "[1:2:3:4:5:6:7:8]:65535"] {
            let address = TicketAddress(text)
            XCTAssertEqual(address?.description, text)
            XCTAssertEqual(address.flatMap { TicketAddress($0.description) }, address)
        }
    }
}

final class TicketAddressLoopbackTests: XCTestCase {
    func testLoopbackIsDecidedByTheAddressBytes() {
        for text in ["127.0.0.1:1", "127.255.3.4:9", "[::1]:5"] {
            XCTAssertEqual(TicketAddress(text)?.isLoopback, true, text)
        }
        for text in ["128.0.0.1:1", "10.127.0.1:2", "1.2.3.127:3", "[::2]:5", "[::ffff:7f00:1]:5", "[fe80::1]:4"] {
            XCTAssertEqual(TicketAddress(text)?.isLoopback, false, text)
        }
    }
}
