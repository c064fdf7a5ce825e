internal import CNettle

/// The ChaCha20-Poly1305 AEAD of RFC 8439 (96-bit nonce, 128-bit tag).
enum ChaCha20Poly1305 {
    static let keyLength = 32
    static let nonceLength = 12
    static let tagLength = 16

    /// Ciphertext followed by the tag.
    static func seal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8], associatedData: [UInt8] = []) -> [UInt8] {
        precondition(key.count == keyLength && nonce.count == nonceLength, "ChaCha20-Poly1305 key or nonce size")
        var context = chacha_poly1305_ctx()
        nettle_chacha_poly1305_set_key(&context, key)
        nettle_chacha_poly1305_set_nonce(&context, nonce)
        associatedData.withUnsafeBufferPointer { nettle_chacha_poly1305_update(&context, $0.count, $0.baseAddress) }
        var output = [UInt8](repeating: 0, count: plaintext.count + tagLength)
        output.withUnsafeMutableBufferPointer { out in
            plaintext.withUnsafeBufferPointer { input in
                nettle_chacha_poly1305_encrypt(&context, input.count, out.baseAddress, input.baseAddress)
            }
            nettle_chacha_poly1305_digest(&context, tagLength, out.baseAddress! + plaintext.count)
        }
        return output
    }

    /// The plaintext, or nil when the tag does not authenticate.
    static func open(_ sealed: [UInt8], key: [UInt8], nonce: [UInt8], associatedData: [UInt8] = []) -> [UInt8]? {
        guard key.count == keyLength, nonce.count == nonceLength, sealed.count >= tagLength else { return nil }
        var context = chacha_poly1305_ctx()
        nettle_chacha_poly1305_set_key(&context, key)
        nettle_chacha_poly1305_set_nonce(&context, nonce)
        associatedData.withUnsafeBufferPointer { nettle_chacha_poly1305_update(&context, $0.count, $0.baseAddress) }
        let ciphertextLength = sealed.count - tagLength
        var plaintext = [UInt8](repeating: 0, count: ciphertextLength)
        var tag = [UInt8](repeating: 0, count: tagLength)
        plaintext.withUnsafeMutableBufferPointer { out in
            sealed.withUnsafeBufferPointer { input in
                nettle_chacha_poly1305_decrypt(&context, ciphertextLength, out.baseAddress, input.baseAddress)
            }
        }
        nettle_chacha_poly1305_digest(&context, tagLength, &tag)
        // Constant-time comparison: the tag is a secret until it matches.
        var difference: UInt8 = 0
        for (a, b) in zip(tag, sealed[ciphertextLength...]) { difference |= a ^ b }
        return difference == 0 ? plaintext : nil
    }
}
