internal import CGnuTLSCrypto

/// The two digests STUN needs, from GnuTLS's one-shot calls. Both only fail
/// for an algorithm GnuTLS does not offer (MD5 under a FIPS policy); that is a
/// property of the machine, not of the input, so it traps with the reason.
enum Crypto {
    static func md5(_ data: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 16)
        let status = data.withUnsafeBytes { input in
            digest.withUnsafeMutableBytes { output in
                gnutls_hash_fast(GNUTLS_DIG_MD5, input.baseAddress, input.count, output.baseAddress)
            }
        }
        precondition(status == 0, "GnuTLS refused MD5 (\(status)); a FIPS crypto policy disables it, and STUN long-term credentials need it")
        return digest
    }

    static func hmacSHA1(key: [UInt8], data: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 20)
        let status = key.withUnsafeBytes { keyBytes in
            data.withUnsafeBytes { input in
                digest.withUnsafeMutableBytes { output in
                    gnutls_hmac_fast(GNUTLS_MAC_SHA1, keyBytes.baseAddress, keyBytes.count,
                                     input.baseAddress, input.count, output.baseAddress)
                }
            }
        }
        precondition(status == 0, "GnuTLS refused HMAC-SHA1 (\(status))")
        return digest
    }

    /// Compares without an early exit, so timing says nothing about where a
    /// forged MESSAGE-INTEGRITY first differs.
    static func constantTimeEqual(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
