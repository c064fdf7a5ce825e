import PixelpassDHT
import PixelpassNAT
import Testing

@Suite struct RendezvousPunchTokenTests {
    @Test func theTokenIsEightBytesTheSameForBothSidesAndDiffersPerSecret() throws {
        let secret = (0..<16).map { UInt8($0) }
        let host = try #require(RendezvousKeys(secret: secret))
        let viewer = try #require(RendezvousKeys(secret: secret))
        let other = try #require(RendezvousKeys(secret: secret.map { $0 ^ 0xFF }))
        #expect(host.punchToken.count == 8)
        #expect(host.punchToken == viewer.punchToken)
        #expect(host.punchToken != other.punchToken)
        // One way: the token is none of the secret's bytes in a row.
        #expect(!secret.indices.contains { Array(secret[$0...].prefix(8)) == host.punchToken })
    }
}

@Suite struct AvoidedAddressTests {
    @Test func anAddressFoundAsAPeerIsNeverQueriedEvenWhenListedAsANode() throws {
        // One bootstrap node answers get_peers with the host both as a peer
        // (`values`) and as a node (`nodes`): the client must not query it.
        let bootstrap = try #require(NATAddress("192.0.2.200:6881"))
        let host = try #require(NATAddress("203.0.113.10:45002"))
        var client = DHTClient(configuration: .init(bootstrap: [bootstrap]), random: SystemRandomNumberGenerator())
        let infoHash = try #require(NodeID(bytes: [UInt8](repeating: 7, count: 20)))
        let (_, actions) = client.getPeers(infoHash, now: 0)
        let query = try #require(actions.compactMap { action -> [UInt8]? in
            if case .send(let bytes, let to) = action, to == bootstrap { return bytes }
            return nil
        }.first)
        let decoded = try Bencode.decode(query)
        guard case .dictionary(let message) = decoded, case .bytes(let transaction)? = message[Array("t".utf8)] else {
            Issue.record("not a KRPC query"); return
        }
        let hostID = [UInt8](repeating: 7, count: 19) + [1]  // close to the target: would be asked next
        let nodes = hostID + host.ip.bytes + [UInt8(host.port >> 8), UInt8(host.port & 0xFF)]
        let peer = host.ip.bytes + [UInt8(host.port >> 8), UInt8(host.port & 0xFF)]
        let reply = BencodeValue.dictionary([
            Array("t".utf8): .bytes(transaction), Array("y".utf8): .bytes(Array("r".utf8)),
            Array("r".utf8): .dictionary([
                Array("id".utf8): .bytes([UInt8](repeating: 9, count: 20)),
                Array("token".utf8): .bytes(Array("tok".utf8)),
                Array("nodes".utf8): .bytes(nodes),
                Array("values".utf8): .list([.bytes(peer)]),
            ]),
        ])
        let answered = client.received(reply.encoded, from: bootstrap, now: 1_000_000)
        let next = try #require(answered)
        #expect(next.contains { if case .peers(_, let found) = $0 { return found == [host] }; return false })
        #expect(!next.contains { if case .send(_, let to) = $0 { return to == host }; return false })
        #expect(client.avoided.contains(host))
    }
}
