internal import CNgtcp2
import NIOCore

/// QUIC Retry (RFC 9000 §8.1): under load the server answers a first
/// Initial with a Retry carrying a token instead of a connection, and
/// accepts the connection only when the client comes back with the token.
/// That proves the client receives packets at its address, so spoofed
/// floods never get a connection, and it costs the server no state: the
/// token is sealed with `key` and carries the client's address, the
/// original destination id and a time.
struct RetryToken {
    /// How long a token is good for: one round trip is enough.
    static let lifetime: UInt64 = 10_000_000_000

    let key: [UInt8]

    /// The Retry packet for this Initial, or nil if it cannot be made.
    func retryPacket(for initial: QUICInitialHeader, from remote: SocketAddress, now: UInt64) -> [UInt8]? {
        var header = initial.header
        var retrySCID = ConnectionID.random().ngtcp2
        var token = [UInt8](repeating: 0, count: 256)
        let tokenLength = remote.withSockAddr { address, length in
            key.withUnsafeBufferPointer { secret in
                ngtcp2_crypto_generate_retry_token(&token, secret.baseAddress, secret.count, header.version,
                                                   address, ngtcp2_socklen(length), &retrySCID, &header.dcid, now)
            }
        }
        guard tokenLength > 0 else { return nil }
        var packet = [UInt8](repeating: 0, count: 1200)
        let written = ngtcp2_crypto_write_retry(&packet, packet.count, header.version, &header.scid, &retrySCID,
                                                &header.dcid, token, Int(tokenLength))
        guard written > 0 else { return nil }
        return Array(packet.prefix(Int(written)))
    }

    /// The destination id of the client's first Initial if this Initial
    /// carries a good token of ours from `remote`; nil for any other token.
    func originalDestination(of initial: QUICInitialHeader, from remote: SocketAddress, now: UInt64) -> ngtcp2_cid? {
        var header = initial.header
        guard header.token.len > 0, let base = header.token.base else { return nil }
        var original = ngtcp2_cid()
        let rv = remote.withSockAddr { address, length in
            key.withUnsafeBufferPointer { secret in
                ngtcp2_crypto_verify_retry_token(&original, base, header.token.len, secret.baseAddress, secret.count,
                                                 header.version, address, ngtcp2_socklen(length), &header.dcid,
                                                 Self.lifetime, now)
            }
        }
        return rv == 0 ? original : nil
    }
}

extension QUICInitialHeader {
    var carriesToken: Bool { header.token.len > 0 }
}
