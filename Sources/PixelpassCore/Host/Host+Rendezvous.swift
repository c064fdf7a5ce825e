import PixelpassDHT
import PixelpassNAT

extension Host {
    /// Starts meeting viewers through the DHT joined on the QUIC socket:
    /// the host's record carries the ticket's addresses and what STUN saw.
    func startRendezvous(_ dht: DHTSideChannel) {
        rendezvousDHT = dht
        let addresses = (ticket.addresses + ticket.reflexive).map(\.socketAddress).filter { !$0.isLoopback }
            .compactMap(\.natAddress)
        // Keys come from a 16-byte secret (every host makes one); a longer
        // secret from elsewhere simply has no rendezvous.
        guard let keys = RendezvousKeys(secret: ticket.secret) else { return dht.stop() }
        // Viewers open toward the ticket's public address as soon as they
        // start; only a ticket that may not name it sends them to the DHT first.
        let ticketNamesOurPublicAddress = !configuration.ticketIdentity.ticketMayPredateThisShare
            && ticket.reflexive.contains { $0.socketAddress.protocol == .inet }
        let rendezvous = HostRendezvous(dht: dht, nat: nat, nat6: nat6, keys: keys,
                                        ownAddresses: { addresses },
                                        viewersKnowOurAddress: ticketNamesOurPublicAddress,
                                        logger: configuration.logger)
        self.rendezvous = rendezvous
        rendezvous.start()
    }
}
