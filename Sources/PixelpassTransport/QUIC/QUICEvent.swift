/// What a `QUICConnection` reports to the endpoint that drives it, in the
/// order it happened (see `QUICConnection.pollEvent`). Stream-level events go
/// to the connection's `QUICApplication` instead.
enum QUICEvent: Equatable {
    /// Route datagrams carrying this destination id to the connection.
    case connectionIDIssued(ConnectionID)
    /// Stop routing this id to the connection.
    case connectionIDRetired(ConnectionID)
    /// The TLS handshake finished; the peer's certificate is known.
    case handshakeCompleted
    /// The connection is over. Nothing follows this event, except the
    /// CONNECTION_CLOSE datagram `pollTransmit` may still return.
    case closed(QUICCloseReason)
}
