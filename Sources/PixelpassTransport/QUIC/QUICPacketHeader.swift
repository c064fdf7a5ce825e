internal import CNgtcp2

/// The first Initial of a client, checked by ngtcp2 (`acceptInitial`) and
/// ready to start a server connection with.
struct QUICInitialHeader {
    let header: ngtcp2_pkt_hd
}

/// What the endpoint may read of a packet before any connection has it.
enum QUICPacketHeader {
    /// The destination connection id of a QUIC packet (long or short
    /// header), or nil if the datagram is not one.
    static func destinationID(of datagram: UnsafeRawBufferPointer) -> ConnectionID? {
        guard let base = datagram.baseAddress?.assumingMemoryBound(to: UInt8.self), !datagram.isEmpty else { return nil }
        var versionCID = ngtcp2_version_cid()
        guard ngtcp2_pkt_decode_version_cid(&versionCID, base, datagram.count, ConnectionID.length) == 0,
              let dcid = versionCID.dcid else { return nil }
        return ConnectionID(pointer: dcid, length: versionCID.dcidlen)
    }

    /// The datagram's packet if it is a client's first Initial that a
    /// server may accept; nil otherwise.
    static func acceptInitial(_ datagram: UnsafeRawBufferPointer) -> QUICInitialHeader? {
        guard let base = datagram.baseAddress?.assumingMemoryBound(to: UInt8.self), !datagram.isEmpty else { return nil }
        var header = ngtcp2_pkt_hd()
        guard ngtcp2_accept(&header, base, datagram.count) == 0 else { return nil }
        return QUICInitialHeader(header: header)
    }
}
