/// Everything a host and its viewers derive from the ticket's 16-byte
/// secret to meet on the DHT: two info-hashes to announce and poll, the
/// key that signs their BEP 44 items, and the key that seals the records
/// in them. Each is HKDF-SHA256 (no salt) of the secret with its own
/// label, so knowing one tells nothing about another, and nobody without
/// the ticket can find, read or forge the records.
public struct RendezvousKeys: Hashable, Sendable {
    public static let secretLength = 16
    /// Salt of the host's item.
    public static let hostSalt: [UInt8] = Array("h".utf8)
    /// Salt of the viewers' item.
    public static let viewerSalt: [UInt8] = Array("v".utf8)

    /// Where the host announces its QUIC socket (and viewers look for it).
    public let hostInfoHash: NodeID
    /// Where viewers announce themselves (and the host polls).
    public let viewerInfoHash: NodeID
    public let keyPair: Ed25519KeyPair
    /// ChaCha20-Poly1305 key for `CandidateRecord`.
    public let sealKey: [UInt8]

    /// nil unless `secret` is 16 bytes.
    public init?(secret: [UInt8]) {
        guard secret.count == RendezvousKeys.secretLength else { return nil }
        func derive(_ label: String, _ length: Int) -> [UInt8] {
            HKDF.sha256(secret: secret, info: Array(label.utf8), length: length)
        }
        hostInfoHash = NodeID(bytes: derive("pixelpass dht host v1", 32).prefix(20))!
        viewerInfoHash = NodeID(bytes: derive("pixelpass dht viewer v1", 32).prefix(20))!
        keyPair = Ed25519KeyPair(seed: derive("pixelpass dht signing v1", 32))!
        sealKey = derive("pixelpass dht seal v1", ChaCha20Poly1305.keyLength)
    }

    /// A signed BEP 44 item holding `record`, sealed.
    public func item(for record: CandidateRecord, salt: [UInt8], seq: Int64,
                     random: inout some RandomNumberGenerator) throws(MutableItem.Failure) -> MutableItem {
        try MutableItem(signing: .bytes(record.sealed(key: sealKey, random: &random)), salt: salt, seq: seq,
                        keyPair: keyPair)
    }

    /// The record in an item, if the item is ours, verifies, and opens.
    public func record(in item: MutableItem) -> CandidateRecord? {
        guard item.publicKey == keyPair.publicKey, item.isValid, case .bytes(let sealed) = item.value else { return nil }
        return try? CandidateRecord(opening: sealed, key: sealKey)
    }
}
