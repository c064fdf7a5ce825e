import PixelpassTransport

/// Where the relay gets a stream for each player: the viewer's QUIC
/// connection to the host in the app, a double in tests.
protocol RelayStreamOpener: AnyObject {
    /// A new live-stream request to the host.
    func openRelayStream() throws -> any RelayUpstream
    /// Counts bytes passed on to a player, for the viewer's stats.
    func relayed(bytes: Int)
}

/// One live-stream request to the host, as the relay uses it.
protocol RelayUpstream: AnyObject {
    /// Sets where the response's status, body bytes and end go.
    func deliver(status: @escaping (Int) -> Void, data: @escaping (UnsafeRawBufferPointer) -> Void,
                 end: @escaping () -> Void)
    /// Stop reading (the player is slow), and start again.
    func pause()
    func resume()
    /// The player went away: the host stops sending.
    func cancel()
}

extension Viewer: RelayStreamOpener {
    func openRelayStream() throws -> any RelayUpstream { try openStream() }
    func relayed(bytes: Int) { bytesReceived += bytes }
}

extension HTTP3Request: RelayUpstream {
    func deliver(status: @escaping (Int) -> Void, data: @escaping (UnsafeRawBufferPointer) -> Void,
                 end: @escaping () -> Void) {
        onResponse = { status($0.status) }
        onData = data
        onEnd = { how in
            switch how {
            case .complete, .reset:
                end()
            case .connectionClosed:
                // The viewer's end (`Viewer.finish`) decides: a farewell
                // picture, or the end of the body.
                break
            }
        }
    }
}
