import NIOCore
import PixelpassTicket
#if canImport(Glibc)
import Glibc
#endif

// The ticket's address and NIO's are the same bytes: convert them as bytes,
// never through text.
extension TicketAddress {
    /// NIO's form of this address.
    var socketAddress: SocketAddress {
        switch host {
        case .ipv4(let bytes):
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            withUnsafeMutableBytes(of: &address.sin_addr) { $0.copyBytes(from: bytes.prefix(4)) }
            return SocketAddress(address, host: "")
        case .ipv6(let bytes):
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &address.sin6_addr) { $0.copyBytes(from: bytes.prefix(16)) }
            return SocketAddress(address, host: "")
        }
    }

    /// The ticket's form of an IP address and port; nil for a Unix socket
    /// or port 0 (nothing can be reached there).
    init?(_ address: SocketAddress) {
        switch address {
        case .v4(let v4):
            guard v4.address.sin_port != 0 else { return nil }
            self.init(host: .ipv4(withUnsafeBytes(of: v4.address.sin_addr) { Array($0) }),
                      port: UInt16(bigEndian: v4.address.sin_port))
        case .v6(let v6):
            guard v6.address.sin6_port != 0 else { return nil }
            self.init(host: .ipv6(withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }),
                      port: UInt16(bigEndian: v6.address.sin6_port))
        case .unixDomainSocket:
            return nil
        }
    }
}
