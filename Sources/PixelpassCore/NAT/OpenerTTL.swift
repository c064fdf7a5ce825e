import PixelpassNAT

/// The IP TTL of hole-punch openers (DESIGN §9): enough to leave every NAT
/// of our own, too little to reach the far one. Behind one home router that
/// is 2; behind a home router and a carrier's NAT (CGNAT), 3. The first
/// routers toward the internet tell which: while they answer from private
/// or CGNAT addresses, we are still inside our own NATs.
enum OpenerTTL {
    static let standard = 2
    /// Beyond this a far NAT could be near enough to reach.
    static let most = 4

    /// `hops[i]`: the address of the router at hop i + 1 (nil: it did not answer).
    static func choose(hops: [NATIP?]) -> Int {
        var ownNATs = 0
        for hop in hops {
            guard let hop, hop.isPrivateOrLinkLocal else { break }
            ownNATs += 1
        }
        return min(max(ownNATs + 1, standard), most)
    }
}
