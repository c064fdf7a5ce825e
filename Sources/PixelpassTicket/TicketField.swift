/// Field types in a ticket record. The numbers are part of the format: never
/// renumber or reuse one. A reader skips types it does not know, so new
/// optional fields can be added without a new version.
enum TicketField: UInt8, CaseIterable {
    /// SHA-256 of the host certificate: exactly 32 bytes, once.
    case fingerprint = 1
    /// The viewer's admission secret: 16 to 64 bytes, once.
    case secret = 2
    /// One or more IPv4 candidates, 6 bytes each (address, port big-endian).
    /// Repeatable; an address list rather than one field per address because
    /// each field costs 2 bytes and the usual ticket must fit in 140 characters.
    case ipv4Addresses = 3
    /// TURN relay (see `TicketRelay`), at most once.
    case relay = 4
    /// One or more IPv6 candidates, 18 bytes each (address, port big-endian).
    /// Repeatable.
    case ipv6Addresses = 5
    /// Server-reflexive IPv4 candidates (what STUN servers saw), 6 bytes each.
    /// A viewer punches toward these with the host's help instead of dialling
    /// them: an unsolicited packet to a NAT'd host would spoil the mapping
    /// the host's own punch needs (DESIGN §9). Repeatable.
    case ipv4Reflexive = 6
    /// The same for IPv6, 18 bytes each.
    case ipv6Reflexive = 7

    /// How error messages name the field.
    var name: String {
        switch self {
        case .fingerprint: return "fingerprint"
        case .secret: return "secret"
        case .ipv4Addresses: return "IPv4 address list"
        case .relay: return "relay"
        case .ipv6Addresses: return "IPv6 address list"
        case .ipv4Reflexive: return "IPv4 reflexive address list"
        case .ipv6Reflexive: return "IPv6 reflexive address list"
        }
    }
}
