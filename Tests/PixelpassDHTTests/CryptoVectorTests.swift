import XCTest
@testable import PixelpassDHT

final class CryptoVectorTests: XCTestCase {
    func testSHA1AndSHA256() {
        XCTAssertEqual(Digest.sha1(ascii("abc")), hexBytes("a9993e364706816aba3e25717850c26c9cd0d89d"))
        XCTAssertEqual(Digest.sha256(ascii("abc")),
                       hexBytes("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
    }

    /// RFC 5869 appendix A.1.
    func testHKDFCase1() {
        let secret = [UInt8](repeating: 0x0B, count: 22)
        let salt = hexBytes("000102030405060708090a0b0c")
        let info = hexBytes("f0f1f2f3f4f5f6f7f8f9")
        let prk = HKDF.extract(salt: salt, inputKeyMaterial: secret)
        XCTAssertEqual(prk, hexBytes("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5"))
        XCTAssertEqual(HKDF.sha256(secret: secret, salt: salt, info: info, length: 42), hexBytes("""
            3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865
            """))
    }

    /// RFC 8032 §7.1 tests 1 and 2.
    func testEd25519RFC8032() throws {
        let cases: [(seed: String, publicKey: String, message: String, signature: String)] = [
            ("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
             "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
             "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
            ("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
             "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
             "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
        ]
        for test in cases {
            let keyPair = try XCTUnwrap(Ed25519KeyPair(seed: hexBytes(test.seed)))
            XCTAssertEqual(keyPair.publicKey, hexBytes(test.publicKey))
            let signature = keyPair.sign(hexBytes(test.message))
            XCTAssertEqual(signature, hexBytes(test.signature))
            XCTAssertTrue(Ed25519KeyPair.verify(publicKey: keyPair.publicKey, message: hexBytes(test.message),
                                                signature: signature))
            XCTAssertFalse(Ed25519KeyPair.verify(publicKey: keyPair.publicKey, message: hexBytes(test.message) + [0],
                                                 signature: signature))
        }
        XCTAssertNil(Ed25519KeyPair(seed: [1, 2, 3]))
        XCTAssertFalse(Ed25519KeyPair.verify(publicKey: [1], message: [], signature: []))
    }

    /// RFC 8439 §2.8.2.
    func testChaCha20Poly1305RFC8439() {
        let key = Array(UInt8(0x80)...UInt8(0x9F))
        let nonce = hexBytes("07000000 4041424344454647")
        let aad = hexBytes("50515253c0c1c2c3c4c5c6c7")
        let plaintext = ascii("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.")
        let sealed = ChaCha20Poly1305.seal(plaintext, key: key, nonce: nonce, associatedData: aad)
        XCTAssertEqual(Array(sealed.prefix(16)), hexBytes("d31a8d34648e60db7b86afbc53ef7ec2"))
        XCTAssertEqual(Array(sealed.suffix(16)), hexBytes("1ae10b594f09e26a7e902ecbd0600691"))
        XCTAssertEqual(ChaCha20Poly1305.open(sealed, key: key, nonce: nonce, associatedData: aad), plaintext)
        var tampered = sealed
        tampered[5] ^= 1
        XCTAssertNil(ChaCha20Poly1305.open(tampered, key: key, nonce: nonce, associatedData: aad))
        XCTAssertNil(ChaCha20Poly1305.open(sealed, key: key, nonce: nonce, associatedData: []))
    }

    /// BEP 44's test vectors 1 (no salt) and 2 (salt "foobar").
    func testBEP44Vectors() {
        let publicKey = hexBytes("77ff84905a91936367c01360803104f92432fcd904a43511876df5cdf3e7e548")
        let value = BencodeValue.bytes(ascii("Hello World!"))
        XCTAssertEqual(MutableItem.signedBytes(salt: [], seq: 1, value: value), ascii("3:seqi1e1:v12:Hello World!"))
        XCTAssertEqual(MutableItem.signedBytes(salt: ascii("foobar"), seq: 1, value: value),
                       ascii("4:salt6:foobar3:seqi1e1:v12:Hello World!"))

        let plain = MutableItem(publicKey: publicKey, salt: [], seq: 1, value: value, signature: hexBytes("""
            305ac8aeb6c9c151fa120f120ea2cfb923564e11552d06a5d856091e5e853cff
            1260d3f39e4999684aa92eb73ffd136e6f4f3ecbfda0ce53a1608ecd7ae21f01
            """))
        XCTAssertTrue(plain.isValid)
        XCTAssertEqual(plain.target.bytes, hexBytes("4a533d47ec9c7d95b1ad75f576cffc641853b750"))

        var salted = MutableItem(publicKey: publicKey, salt: ascii("foobar"), seq: 1, value: value, signature: hexBytes("""
            6834284b6b24c3204eb2fea824d82f88883a3d95e8b4a21b8c0ded553d17d17d
            df9a8a7104b1258f30bed3787e6cb896fca78c58f8e03b5f18f14951a87d9a08
            """))
        XCTAssertTrue(salted.isValid)
        XCTAssertEqual(salted.target.bytes, hexBytes("411eba73b6f087ca51a3795d9c8c938d365e32c1"))

        salted.seq = 2
        XCTAssertFalse(salted.isValid)
        XCTAssertFalse(MutableItem(publicKey: publicKey, salt: [], seq: 1, value: value, signature: salted.signature).isValid)
    }

    func testSignedItemLimits() throws {
        let keyPair = try XCTUnwrap(Ed25519KeyPair(seed: [UInt8](repeating: 9, count: 32)))
        // "996:" and 996 bytes: exactly BEP 44's 1000.
        let item = try MutableItem(signing: .bytes([UInt8](repeating: 1, count: 996)), salt: ascii("h"), seq: 3,
                                   keyPair: keyPair)
        XCTAssertTrue(item.isValid)
        XCTAssertThrowsError(try MutableItem(signing: .bytes([UInt8](repeating: 1, count: 997)), salt: [], seq: 1,
                                             keyPair: keyPair))
        XCTAssertThrowsError(try MutableItem(signing: .integer(1), salt: [UInt8](repeating: 0, count: 65), seq: 1,
                                             keyPair: keyPair))
    }
}
