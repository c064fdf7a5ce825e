internal import CNgtcp2

/// SHA-256 of a DER certificate: what a ticket pins and what names a viewer.
public enum Fingerprint {
    public static func sha256(of der: UnsafeRawBufferPointer) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        _ = digest.withUnsafeMutableBytes { out in
            gnutls_hash_fast(GNUTLS_DIG_SHA256, der.baseAddress, der.count, out.baseAddress)
        }
        return digest
    }

    /// Short, stable, human-friendly id: the first 4 bytes in hex.
    public static func shortID(_ fingerprint: [UInt8]) -> String {
        fingerprint.prefix(4).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
