import NIOCore

/// The application's view of one QUIC connection (a viewer, seen from the
/// host; the host, seen from a viewer).
public final class HTTP3Peer {
    weak var connection: QUICConnection?
    /// SHA-256 of the peer's certificate, if it presented one.
    public let fingerprint: [UInt8]?

    init(connection: QUICConnection) {
        self.connection = connection
        self.fingerprint = connection.peerFingerprint
    }

    /// Short, stable id from the certificate (or the address without one).
    public var id: String {
        if let fingerprint { return Fingerprint.shortID(fingerprint) }
        return "anon@\(remoteAddressDescription)"
    }

    public var remoteAddressDescription: String {
        guard let address = connection?.remoteAddress else { return "?" }
        return "\(address.ipAddress ?? "?"):\(address.port ?? 0)"
    }

    public var remoteAddress: SocketAddress? { connection?.remoteAddress }

    public var isConnected: Bool { !(connection?.isClosed ?? true) }

    /// Smoothed round-trip time in milliseconds.
    public var roundTripMilliseconds: Double {
        guard let connection, !connection.isClosed else { return 0 }
        return Double(connection.statistics.smoothedRTT) / 1_000_000
    }

    /// Closes the connection with an HTTP/3 application error code.
    public func close(code: UInt64 = HTTP3ErrorCode.noError) {
        guard let connection, !connection.isClosed else { return }
        connection.close(applicationError: code, now: connection.owner.now)
    }
}

extension QUICConnection {
    /// One peer object per connection, made on first use.
    var peer: HTTP3Peer {
        if let existing = ownerPeer { return existing }
        let made = HTTP3Peer(connection: self)
        ownerPeer = made
        return made
    }
}
