internal import CNgtcp2

/// Stateless resets (RFC 9000 §10.3): a server that gets a packet for a
/// connection it does not know answers with a packet only the connection's
/// peer recognises, so a viewer whose host restarted (or dropped the
/// connection) notices at once instead of after the idle timeout.
///
/// Tokens are derived from a key and the connection id, so any process
/// with the same key (a restarted host) can send a reset for connections
/// it never saw.
enum StatelessReset {
    static let tokenLength = Int(NGTCP2_STATELESS_RESET_TOKENLEN)
    /// The smallest datagram answered: a reset must be shorter than what
    /// triggered it (so two endpoints cannot loop), and at least 21 bytes
    /// (5 random, then the 16-byte token).
    static let smallestTrigger = 22

    static func token(for id: ConnectionID, key: [UInt8]) -> [UInt8] {
        var cid = id.ngtcp2
        var token = [UInt8](repeating: 0, count: tokenLength)
        let rv = token.withUnsafeMutableBufferPointer { out in
            key.withUnsafeBufferPointer { secret in
                ngtcp2_crypto_generate_stateless_reset_token(out.baseAddress, secret.baseAddress, secret.count, &cid)
            }
        }
        // Fails only without HKDF-SHA256 in the crypto library: a random
        // token then just means no reset is ever recognised.
        return rv == 0 ? token : SecureRandom.bytes(tokenLength)
    }

    /// The reset answering a `triggerLength`-byte datagram for `id`, or nil
    /// if that datagram is too short to answer.
    static func packet(for id: ConnectionID, key: [UInt8], triggerLength: Int) -> [UInt8]? {
        guard triggerLength >= smallestTrigger else { return nil }
        // Shorter than the trigger, and no longer than needed to look like
        // a short-header packet.
        let length = min(triggerLength - 1, 43)
        let randomLength = length - tokenLength
        let random = SecureRandom.bytes(randomLength)
        var token = self.token(for: id, key: key)
        var out = [UInt8](repeating: 0, count: length)
        let written = out.withUnsafeMutableBufferPointer { buffer in
            ngtcp2_pkt_write_stateless_reset(buffer.baseAddress, buffer.count, &token, random, random.count)
        }
        guard written > 0 else { return nil }
        return Array(out.prefix(Int(written)))
    }
}
