import NIOCore
import PixelpassTicket

extension Host {
    /// A new secret, so a ticket that got around stops working: a new
    /// ticket comes back. Viewers watching now keep watching (their
    /// connection stays good with the old secret); every other viewer on
    /// the old ticket is dropped, and waiting ones are turned away. A kept
    /// ticket (--keep-ticket) is kept with the new secret.
    public func replaceTicket() -> EventLoopFuture<Ticket> {
        eventLoop.submit {
            let secret = SecretGenerator.bytes(TicketIdentity.secretLength)
            let watching = Set(self.broadcaster.viewerStats().map(\.viewerID))
            self.grandfathered = []
            for (key, peer) in self.seatedPeers {
                if watching.contains(peer.id) {
                    self.grandfathered.insert(key)
                } else {
                    peer.close(code: StreamAPI.removedByHostCode)
                }
            }
            self.turnAwayEveryoneWaiting(because: "the host replaced the ticket")
            self.ticket = Ticket(fingerprint: self.ticket.fingerprint, secret: secret, addresses: self.ticket.addresses,
                                 relay: self.ticket.relay, reflexive: self.ticket.reflexive)
            self.previousSecretCheck = self.secretCheck
            self.secretCheck = SecretCheck(secretHex: self.ticket.secretHex)
            self.keepNewSecret(secret)
            if let dht = self.rendezvousDHT {
                self.rendezvous?.retire()
                self.startRendezvous(dht)
            }
            self.logger.info("new ticket: the old one no longer lets anyone in; \(self.grandfathered.count) watching viewer(s) stay")
            return self.ticket
        }
    }

    private func keepNewSecret(_ secret: [UInt8]) {
        switch configuration.ticketIdentity {
        case .fresh:
            return
        case .kept(let store), .renewed(let store):
            do {
                try store.save(identity: identity, secret: secret)
            } catch {
                logger.error("the new ticket could not be kept for later shares: \(error)")
            }
        }
    }
}
