import NIOCore

/// Datagrams a `QUICConnection` wants sent: one datagram, or with
/// `segmentSize` several back-to-back datagrams of that size (the last may
/// be shorter), all to `destination`. `bytes` point into the connection's
/// own buffer and are valid only until its next call.
struct QUICTransmit {
    let destination: SocketAddress
    let bytes: UnsafeRawBufferPointer
    let segmentSize: Int?

    /// The single datagrams this transmit stands for, in order.
    var datagrams: [UnsafeRawBufferPointer] {
        let size = segmentSize ?? bytes.count
        guard size > 0 else { return [] }
        return stride(from: 0, to: bytes.count, by: size).map {
            UnsafeRawBufferPointer(rebasing: bytes[$0..<min($0 + size, bytes.count)])
        }
    }
}
