import XCTest
@testable import PixelpassTicket

final class Base32Tests: XCTestCase {
    /// RFC 4648 section 10, lowercased and without padding.
    let vectors: [(String, String)] = [
        ("", ""), ("f", "my"), ("fo", "mzxq"), ("foo", "mzxw6"),
        ("foob", "mzxw6yq"), ("fooba", "mzxw6ytb"), ("foobar", "mzxw6ytboi"),
    ]

    func testEncodesRFC4648Vectors() {
        for (plain, encoded) in vectors {
            XCTAssertEqual(Base32.encode(Array(plain.utf8)), encoded, "encoding \"\(plain)\"")
            XCTAssertEqual(Base32.encodedLength(byteCount: plain.utf8.count), encoded.count)
        }
    }

    func testDecodesRFC4648VectorsInEitherCase() {
        for (plain, encoded) in vectors {
            XCTAssertEqual(Base32.decode(encoded), Array(plain.utf8), "decoding \"\(encoded)\"")
            XCTAssertEqual(Base32.decode(encoded.uppercased()), Array(plain.utf8), "decoding \"\(encoded.uppercased())\"")
        }
    }

    func testStrictDecodeRejectsWhatNoEncoderWrites() {
        XCTAssertNil(Base32.decode("m"), "1 character cannot hold a byte")
        XCTAssertNil(Base32.decode("mzx"), "3 characters is not a length base32 produces")
        XCTAssertNil(Base32.decode("mzxw6y"), "6 characters is not a length base32 produces")
        XCTAssertNil(Base32.decode("mzxw6yr"), "the bits after the last byte must be zero")
        XCTAssertNil(Base32.decode("mzxw6yq="), "padding is not part of the alphabet")
        XCTAssertNil(Base32.decode("mzxw1"), "1 is not part of the alphabet")
    }

    func testRoundTripsEveryLengthAndByteValue() {
        for length in 0...40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 37 + length * 11) }
            let encoded = Base32.encode(bytes)
            XCTAssertTrue(encoded.allSatisfy { "abcdefghijklmnopqrstuvwxyz234567".contains($0) })
            XCTAssertEqual(Base32.decode(encoded), bytes, "length \(length)")
        }
        let all = (0...255).map { UInt8($0) }
        XCTAssertEqual(Base32.decode(Base32.encode(all)), all)
    }

    func testLenientDecodeKeepsTheWholeBytesOfACutText() {
        let decoded = Base32.decode(digits: "mzxw6y".unicodeScalars.map { Base32.digit(for: $0)! })
        XCTAssertEqual(decoded.bytes, Array("foo".utf8))
    }
}
