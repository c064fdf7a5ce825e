import XCTest
@testable import PixelpassTransport

/// A kept ticket depends on a TLS identity read back from PEM presenting
/// the same certificate, so the fingerprint in the ticket stays right.
final class TLSIdentityPEMTests: XCTestCase {
    func testPEMRoundTripKeepsTheFingerprint() throws {
        let original = try TLSIdentity(commonName: "pixelpass host")
        let pem = try original.pem()
        XCTAssertTrue(pem.contains("-----BEGIN CERTIFICATE-----"), pem)
        XCTAssertTrue(pem.contains("PRIVATE KEY-----"), pem)
        let again = try TLSIdentity(pem: pem)
        XCTAssertEqual(again.fingerprint, original.fingerprint)
        XCTAssertEqual(try again.pem(), pem, "reading and writing again changes nothing")
    }

    func testTwoFreshIdentitiesDiffer() throws {
        XCTAssertNotEqual(try TLSIdentity().fingerprint, try TLSIdentity().fingerprint)
    }

    func testAKeyThatIsNotTheCertificatesIsRefused() throws {
        let one = try TLSIdentity().pem()
        let other = try TLSIdentity().pem()
        let certificate = try XCTUnwrap(one.range(of: "-----END CERTIFICATE-----\n")).upperBound
        let keyStart = try XCTUnwrap(other.range(of: "-----BEGIN EC PRIVATE KEY-----")).lowerBound
        let mixed = String(one[..<certificate]) + String(other[keyStart...])
        XCTAssertThrowsError(try TLSIdentity(pem: mixed)) { error in
            let tls = error as? TLSError
            XCTAssertEqual(tls?.operation, "pairing its key with its certificate", "\(error)")
        }
    }

    func testMissingOrDamagedPartsAreRefused() throws {
        let pem = try TLSIdentity().pem()
        let certificateOnly = String(pem[..<(try XCTUnwrap(pem.range(of: "-----BEGIN EC PRIVATE KEY-----")).lowerBound)])
        XCTAssertThrowsError(try TLSIdentity(pem: certificateOnly)) { error in
            XCTAssertEqual((error as? TLSError)?.operation, "reading its private key", "\(error)")
        }
        XCTAssertThrowsError(try TLSIdentity(pem: "not a certificate")) { error in
            XCTAssertEqual((error as? TLSError)?.operation, "reading its certificate", "\(error)")
        }
        XCTAssertThrowsError(try TLSIdentity(pem: pem.replacingOccurrences(of: "MII", with: "MIJ")))
    }
}
