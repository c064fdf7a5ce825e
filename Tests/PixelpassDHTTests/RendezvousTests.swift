import XCTest
import PixelpassNAT
@testable import PixelpassDHT

final class RendezvousTests: XCTestCase {
    private let secret = Array(UInt8(0)..<UInt8(16))

    func testKeysAreDerivedWithTheirLabels() throws {
        let keys = try XCTUnwrap(RendezvousKeys(secret: secret))
        XCTAssertEqual(keys.hostInfoHash.bytes,
                       Array(HKDF.sha256(secret: secret, info: ascii("pixelpass dht host v1"), length: 32).prefix(20)))
        XCTAssertEqual(keys.viewerInfoHash.bytes,
                       Array(HKDF.sha256(secret: secret, info: ascii("pixelpass dht viewer v1"), length: 20)))
        XCTAssertEqual(keys.keyPair.seed, HKDF.sha256(secret: secret, info: ascii("pixelpass dht signing v1"), length: 32))
        XCTAssertEqual(keys.sealKey, HKDF.sha256(secret: secret, info: ascii("pixelpass dht seal v1"), length: 32))
        XCTAssertNotEqual(keys.hostInfoHash, keys.viewerInfoHash)
        XCTAssertNotEqual(try XCTUnwrap(RendezvousKeys(secret: [UInt8](repeating: 1, count: 16))).hostInfoHash,
                          keys.hostInfoHash)
        XCTAssertNil(RendezvousKeys(secret: [1, 2, 3]))
    }

    func testRecordSealsAndOpens() throws {
        let keys = try XCTUnwrap(RendezvousKeys(secret: secret))
        let addresses = (0..<15).map { address("192.0.2.\($0 + 1):\(40000 + $0)") } + [address("[2001:db8::1]:443")]
        let record = CandidateRecord(addresses: addresses + [address("10.0.0.1:1")], role: .host,
                                     session: 0x0102_0304_0506_0708, unixTime: 1_790_000_000)
        XCTAssertEqual(record.addresses.count, 16)
        var random = SeededGenerator(seed: 1)
        let sealed = record.sealed(key: keys.sealKey, random: &random)
        XCTAssertLessThan(BencodeValue.bytes(sealed).encoded.count, 400)
        XCTAssertEqual(try CandidateRecord(opening: sealed, key: keys.sealKey), record)
        // A fresh nonce each time.
        XCTAssertNotEqual(record.sealed(key: keys.sealKey, random: &random), sealed)
    }

    func testOpenRejectsForgeriesAndGarbage() throws {
        let keys = try XCTUnwrap(RendezvousKeys(secret: secret))
        let record = CandidateRecord(addresses: [address("198.51.100.4:5000")], role: .viewer, session: 9, unixTime: 1)
        var random = SeededGenerator(seed: 2)
        let sealed = record.sealed(key: keys.sealKey, random: &random)
        for index in [0, 12, sealed.count - 1] {
            var tampered = sealed
            tampered[index] ^= 0x40
            XCTAssertThrowsError(try CandidateRecord(opening: tampered, key: keys.sealKey)) {
                XCTAssertEqual($0 as? CandidateRecord.OpenError, .authenticationFailed)
            }
        }
        XCTAssertThrowsError(try CandidateRecord(opening: Array(sealed.prefix(20)), key: keys.sealKey)) {
            XCTAssertEqual($0 as? CandidateRecord.OpenError, .tooShort)
        }
        let otherKey = try XCTUnwrap(RendezvousKeys(secret: [UInt8](repeating: 7, count: 16))).sealKey
        XCTAssertThrowsError(try CandidateRecord(opening: sealed, key: otherKey))
        // Authentic but malformed: a valid seal around a bad layout.
        let nonce = [UInt8](repeating: 0, count: 12)
        let bogus = nonce + ChaCha20Poly1305.seal([1, 2, 3], key: keys.sealKey, nonce: nonce,
                                                  associatedData: CandidateRecord.associatedData)
        XCTAssertThrowsError(try CandidateRecord(opening: bogus, key: keys.sealKey)) {
            XCTAssertEqual($0 as? CandidateRecord.OpenError, .malformed)
        }
    }

    func testItemCarriesTheRecord() throws {
        let keys = try XCTUnwrap(RendezvousKeys(secret: secret))
        let record = CandidateRecord(addresses: [address("203.0.113.5:40000")], role: .host, session: 1, unixTime: 2)
        var random = SeededGenerator(seed: 3)
        let item = try keys.item(for: record, salt: RendezvousKeys.hostSalt, seq: 5, random: &random)
        XCTAssertTrue(item.isValid)
        XCTAssertEqual(item.target, MutableItem.target(publicKey: keys.keyPair.publicKey, salt: ascii("h")))
        XCTAssertEqual(keys.record(in: item), record)
        var forged = item
        forged.seq = 6
        XCTAssertNil(keys.record(in: forged))
    }
}
