import Testing
import PixelpassTicket
@testable import PixelpassCore

@Suite struct TicketCandidatesTests {
    private let lan = TicketAddress("192.168.1.20:4433")!
    private let loopback = TicketAddress("127.0.0.1:4433")!
    private let mapped = TicketAddress("203.0.113.7:4433")!

    @Test func loopbackIsLeftOutWhenAFriendHasAnythingElseToTry() {
        #expect(InterfaceAddresses.forATicket([lan, loopback, mapped]) == [lan, mapped])
    }

    @Test func aLoopbackBindKeepsItsOnlyAddress() {
        #expect(InterfaceAddresses.forATicket([loopback]) == [loopback])
    }
}
