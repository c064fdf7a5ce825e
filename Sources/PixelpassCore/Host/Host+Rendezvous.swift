import PixelpassDHT
import PixelpassNAT

extension Host {
    /// Starts meeting viewers through the DHT joined on the QUIC socket:
    /// the host's record carries the ticket's addresses and what STUN saw.
    func startRendezvous(_ dht: DHTSideChannel) {
        let addresses = (ticket.addresses + ticket.reflexive).map(\.socketAddress).filter { !$0.isLoopback }
            .compactMap(\.natAddress)
        let rendezvous = HostRendezvous(dht: dht, nat: nat, keys: RendezvousKeys(secret: ticket.secret),
                                        ownAddresses: { addresses }, logger: configuration.logger)
        self.rendezvous = rendezvous
        rendezvous.start()
    }
}
