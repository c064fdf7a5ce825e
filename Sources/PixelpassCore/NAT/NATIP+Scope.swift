import PixelpassNAT

extension NATIP {
    /// An address only its own network can reach: RFC 1918, CGNAT (RFC
    /// 6598) and link-local for IPv4; unique-local and link-local for IPv6.
    var isPrivateOrLinkLocal: Bool {
        switch self {
        case .v4(let value):
            let a = value >> 24, b = (value >> 16) & 0xFF
            return a == 10 || (a == 172 && (16...31).contains(b)) || (a == 192 && b == 168)
                || (a == 100 && (64...127).contains(b)) || (a == 169 && b == 254)
        case .v6(let high, _):
            let top = high >> 48
            return (top & 0xFE00) == 0xFC00 || (top & 0xFFC0) == 0xFE80
        }
    }

    /// A global unicast IPv6 address (2000::/3).
    var isGlobalIPv6: Bool {
        guard case .v6(let high, _) = self else { return false }
        return high >> 61 == 1
    }
}
