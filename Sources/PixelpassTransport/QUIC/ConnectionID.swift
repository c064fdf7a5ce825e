internal import CNgtcp2

/// A QUIC connection id as a hashable value, for the endpoint's routing table.
struct ConnectionID: Hashable, CustomStringConvertible {
    static let length = 16
    var bytes: [UInt8]

    init(bytes: [UInt8]) { self.bytes = bytes }

    init(_ cid: ngtcp2_cid) {
        var copy = cid
        bytes = withUnsafeBytes(of: &copy.data) { Array($0.prefix(Int(cid.datalen))) }
    }

    init(pointer: UnsafePointer<UInt8>, length: Int) {
        bytes = Array(UnsafeBufferPointer(start: pointer, count: length))
    }

    static func random(length: Int = ConnectionID.length) -> ConnectionID {
        ConnectionID(bytes: SecureRandom.bytes(length))
    }

    var ngtcp2: ngtcp2_cid {
        var cid = ngtcp2_cid()
        bytes.withUnsafeBufferPointer { ngtcp2_cid_init(&cid, $0.baseAddress, $0.count) }
        return cid
    }

    var description: String { bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() }
}

enum SecureRandom {
    static func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let rv = gnutls_rnd(GNUTLS_RND_RANDOM, &out, count)
        precondition(rv == 0, "the system random generator failed")
        return out
    }

    static func fill(_ pointer: UnsafeMutablePointer<UInt8>?, _ count: Int) {
        let rv = gnutls_rnd(GNUTLS_RND_RANDOM, pointer, count)
        precondition(rv == 0, "the system random generator failed")
    }
}
