internal import CNettle

/// HMAC-SHA256 (RFC 2104) and HKDF-SHA256 (RFC 5869) built on it.
enum HKDF {
    static let hashLength = 32

    static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var context = hmac_sha256_ctx()
        var mac = [UInt8](repeating: 0, count: hashLength)
        key.withUnsafeBufferPointer { nettle_hmac_sha256_set_key(&context, $0.count, $0.baseAddress) }
        message.withUnsafeBufferPointer { nettle_hmac_sha256_update(&context, $0.count, $0.baseAddress) }
        nettle_hmac_sha256_digest(&context, mac.count, &mac)
        return mac
    }

    /// RFC 5869 §2.2: PRK = HMAC(salt, IKM); an empty salt means HashLen zeros.
    static func extract(salt: [UInt8], inputKeyMaterial: [UInt8]) -> [UInt8] {
        hmacSHA256(key: salt.isEmpty ? [UInt8](repeating: 0, count: hashLength) : salt, message: inputKeyMaterial)
    }

    /// RFC 5869 §2.3: T(i) = HMAC(PRK, T(i-1) ‖ info ‖ i). At most 255 blocks.
    static func expand(pseudorandomKey: [UInt8], info: [UInt8], length: Int) -> [UInt8] {
        precondition(length >= 0 && length <= 255 * hashLength, "HKDF output length out of range")
        var output: [UInt8] = []
        var block: [UInt8] = []
        var counter: UInt8 = 1
        while output.count < length {
            block = hmacSHA256(key: pseudorandomKey, message: block + info + [counter])
            output += block
            counter &+= 1
        }
        return Array(output.prefix(length))
    }

    static func sha256(secret: [UInt8], salt: [UInt8] = [], info: [UInt8], length: Int) -> [UInt8] {
        expand(pseudorandomKey: extract(salt: salt, inputKeyMaterial: secret), info: info, length: length)
    }
}
