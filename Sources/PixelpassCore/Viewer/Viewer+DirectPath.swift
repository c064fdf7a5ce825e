import Logging
import NIOCore
import NIOPosix
import PixelpassTransport

extension Viewer {
    /// Connected through the relay: offer our addresses to the host, punch
    /// toward its, and move the QUIC connection to the first address that
    /// answers. The stream never stops; if nothing gets through (a symmetric
    /// NAT), we simply stay on the relay.
    func lookForDirectPath() {
        guard let nat else { return }
        var generator = SystemRandomNumberGenerator()
        let token = (0..<8).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let port = nat.socket.localAddress.port ?? 0
        var mine = InterfaceAddresses.candidates(for: try! SocketAddress(ipAddress: "0.0.0.0", port: 0), port: port)
            .filter { !$0.isLoopback }
            .map(\.socketAddress)
        if let mapped = nat.mappedAddress?.socketAddress, !mine.contains(mapped) { mine.append(mapped) }
        do {
            let request = try client.get(CandidateExchange.requestPath(token: token, mine: mine),
                                         headers: requestHeaders)
            var status = 0
            var body: [UInt8] = []
            request.onResponse = { status = $0.status }
            request.onData = { body.append(contentsOf: $0) }
            request.onEnd = { [weak self] _ in
                guard let self, status == 200 else { return }
                let theirs = CandidateExchange.parseResponse(body).filter { !$0.isLoopback && !nat.isRelayed($0) }
                self.logger.debug("the host offers \(theirs.map { "\($0)" }.joined(separator: ", ")); punching")
                nat.punch(token: token, toward: theirs) { [weak self] address in
                    guard let self else { return }
                    let moved = self.client.migrate(to: address)
                    self.logger.info(moved ? "found a direct path to the host at \(address); moving off the relay"
                                            : "found a direct path to \(address), but could not move the connection (\(self.client.lastMigrationError ?? "?"))")
                }
            }
        } catch {
            logger.debug("no direct path attempt: \(error)")
        }
    }
}
