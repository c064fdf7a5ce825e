import PixelpassDHT
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
