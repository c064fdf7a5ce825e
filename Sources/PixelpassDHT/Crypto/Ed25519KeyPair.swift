internal import CNettle

/// An Ed25519 key pair (RFC 8032) made from a 32-byte seed: the signer of
/// BEP 44 mutable items.
public struct Ed25519KeyPair: Hashable, Sendable {
    public static let seedLength = 32
    public static let publicKeyLength = 32
    public static let signatureLength = 64

    public let seed: [UInt8]
    public let publicKey: [UInt8]

    /// nil unless `seed` is 32 bytes.
    public init?(seed: [UInt8]) {
        guard seed.count == Ed25519KeyPair.seedLength else { return nil }
        var publicKey = [UInt8](repeating: 0, count: Ed25519KeyPair.publicKeyLength)
        nettle_ed25519_sha512_public_key(&publicKey, seed)
        self.seed = seed
        self.publicKey = publicKey
    }

    public func sign(_ message: [UInt8]) -> [UInt8] {
        var signature = [UInt8](repeating: 0, count: Ed25519KeyPair.signatureLength)
        message.withUnsafeBufferPointer {
            nettle_ed25519_sha512_sign(publicKey, seed, $0.count, $0.baseAddress, &signature)
        }
        return signature
    }

    /// False for wrong lengths as well as bad signatures.
    public static func verify(publicKey: [UInt8], message: [UInt8], signature: [UInt8]) -> Bool {
        guard publicKey.count == publicKeyLength, signature.count == signatureLength else { return false }
        return message.withUnsafeBufferPointer {
            nettle_ed25519_sha512_verify(publicKey, $0.count, $0.baseAddress, signature) == 1
        }
    }
}
