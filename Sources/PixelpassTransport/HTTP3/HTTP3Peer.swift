import NIOCore

/// The application's view of one QUIC connection (a viewer, seen from the
/// host; the host, seen from a viewer).
public final class HTTP3Peer {
    weak var connection: QUICConnection?
    private weak var endpoint: QUICEndpoint?
    private var knownFingerprint: [UInt8]?
    /// Told to the server's delegate already (see `HTTP3Server`).
    var announced = false

    /// `endpoint` drives the connection (nil only in tests without sockets).
    init(connection: QUICConnection, endpoint: QUICEndpoint?) {
        self.connection = connection
        self.endpoint = endpoint
    }

    /// SHA-256 of the peer's certificate, if it presented one (known once
    /// the handshake completed, and kept after the connection is gone).
    public var fingerprint: [UInt8]? {
        if knownFingerprint == nil { knownFingerprint = connection?.peerFingerprint }
        return knownFingerprint
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
        guard let statistics = connection?.statistics else { return 0 }
        return Double(statistics.smoothedRTT) / 1_000_000
    }

    /// The QUIC sender's view of the path now; nil once the connection closed.
    public var pathStatistics: QUICPathStatistics? { connection?.statistics }

    /// Nanoseconds (uptime clock) since a packet from the peer was last
    /// accepted; nil once the connection closed.
    public func silence(now: UInt64) -> UInt64? {
        guard let connection, !connection.isClosed else { return nil }
        return now > connection.lastReceived ? now - connection.lastReceived : 0
    }

    /// Closes the connection with an HTTP/3 application error code.
    public func close(code: UInt64 = HTTP3ErrorCode.noError) {
        guard let connection, !connection.isClosed, let endpoint else { return }
        endpoint.close(connection, applicationError: code)
    }
}
