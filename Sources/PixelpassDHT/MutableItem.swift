/// A BEP 44 mutable item: a value signed by an Ed25519 key, stored in the
/// DHT under SHA-1(public key ‖ salt), replaced only by a higher `seq`.
public struct MutableItem: Hashable, Sendable {
    public static let maxValueLength = 1000
    public static let maxSaltLength = 64

    public var publicKey: [UInt8]
    public var salt: [UInt8]
    public var seq: Int64
    public var value: BencodeValue
    public var signature: [UInt8]

    public enum Failure: Error, Hashable, Sendable {
        /// The bencoded value is longer than BEP 44's 1000 bytes.
        case valueTooLong(Int)
        case saltTooLong(Int)
    }

    /// An item as received: check `isValid` before trusting it.
    public init(publicKey: [UInt8], salt: [UInt8], seq: Int64, value: BencodeValue, signature: [UInt8]) {
        self.publicKey = publicKey
        self.salt = salt
        self.seq = seq
        self.value = value
        self.signature = signature
    }

    /// Signs `value` at `seq` with `keyPair`.
    public init(signing value: BencodeValue, salt: [UInt8], seq: Int64, keyPair: Ed25519KeyPair)
        throws(Failure) {
        let encodedLength = value.encoded.count
        guard encodedLength <= MutableItem.maxValueLength else { throw .valueTooLong(encodedLength) }
        guard salt.count <= MutableItem.maxSaltLength else { throw .saltTooLong(salt.count) }
        self.init(publicKey: keyPair.publicKey, salt: salt, seq: seq, value: value,
                  signature: keyPair.sign(MutableItem.signedBytes(salt: salt, seq: seq, value: value)))
    }

    /// The DHT key the item is stored under.
    public var target: NodeID { MutableItem.target(publicKey: publicKey, salt: salt) }

    public static func target(publicKey: [UInt8], salt: [UInt8]) -> NodeID {
        NodeID(bytes: Digest.sha1(publicKey + salt))!
    }

    /// Sizes within BEP 44's limits and a signature that verifies.
    public var isValid: Bool {
        guard salt.count <= MutableItem.maxSaltLength, value.encoded.count <= MutableItem.maxValueLength else {
            return false
        }
        return Ed25519KeyPair.verify(publicKey: publicKey,
                                     message: MutableItem.signedBytes(salt: salt, seq: seq, value: value),
                                     signature: signature)
    }

    /// What the signature covers: the bencoded dictionary entries salt
    /// (only when not empty), seq and v, without the dictionary's d…e.
    public static func signedBytes(salt: [UInt8], seq: Int64, value: BencodeValue) -> [UInt8] {
        var bytes: [UInt8] = []
        if !salt.isEmpty {
            BencodeValue.string("salt").encode(into: &bytes)
            BencodeValue.bytes(salt).encode(into: &bytes)
        }
        BencodeValue.string("seq").encode(into: &bytes)
        BencodeValue.integer(seq).encode(into: &bytes)
        BencodeValue.string("v").encode(into: &bytes)
        value.encode(into: &bytes)
        return bytes
    }
}
