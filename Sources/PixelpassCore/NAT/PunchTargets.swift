import PixelpassNAT

/// Which of the addresses a viewer offers (`/v1/candidates`) the host will
/// send punch packets to. A ticket holder must not be able to aim the
/// host's packets at strangers, so the host punches only toward:
/// - addresses in the same /24 (IPv4) or /64 (IPv6) as the one the
///   connection comes from;
/// - private or link-local addresses in a network the host is on too (the
///   viewer is on the host's LAN);
/// - for a connection that arrives through a TURN relay, whose address says
///   nothing of the viewer, one address more (its router's port mapping);
/// and at most `limit` of them.
enum PunchTargets {
    static let limit = 4

    static func chosen(offered: [NATAddress], observed: NATIP?, relayed: Bool, ownAddresses: [NATIP]) -> [NATAddress] {
        var chosen: [NATAddress] = []
        var foreignAllowed = relayed ? 1 : 0
        for address in offered where chosen.count < limit && !chosen.contains(address) {
            if let observed, sameNetwork(address.ip, observed) {
                chosen.append(address)
            } else if address.ip.isPrivateOrLinkLocal {
                if ownAddresses.contains(where: { sameNetwork(address.ip, $0) }) { chosen.append(address) }
            } else if foreignAllowed > 0 {
                foreignAllowed -= 1
                chosen.append(address)
            }
        }
        return chosen
    }

    /// Same /24 for IPv4, same /64 for IPv6.
    static func sameNetwork(_ a: NATIP, _ b: NATIP) -> Bool {
        switch (a, b) {
        case (.v4(let x), .v4(let y)): return x >> 8 == y >> 8
        case (.v6(let x, _), .v6(let y, _)): return x == y
        default: return false
        }
    }
}
