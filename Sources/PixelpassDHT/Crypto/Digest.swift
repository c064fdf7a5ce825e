internal import CNettle

/// One-shot SHA-1 (DHT targets, BEP 44) and SHA-256 (HKDF's hash).
enum Digest {
    static func sha1(_ message: [UInt8]) -> [UInt8] {
        var context = sha1_ctx()
        var digest = [UInt8](repeating: 0, count: Int(SHA1_DIGEST_SIZE))
        nettle_sha1_init(&context)
        message.withUnsafeBufferPointer { nettle_sha1_update(&context, $0.count, $0.baseAddress) }
        nettle_sha1_digest(&context, digest.count, &digest)
        return digest
    }

    static func sha256(_ message: [UInt8]) -> [UInt8] {
        var context = sha256_ctx()
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_SIZE))
        nettle_sha256_init(&context)
        message.withUnsafeBufferPointer { nettle_sha256_update(&context, $0.count, $0.baseAddress) }
        nettle_sha256_digest(&context, digest.count, &digest)
        return digest
    }
}
