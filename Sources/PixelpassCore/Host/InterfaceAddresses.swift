import NIOCore
import NIOPosix
import PixelpassTicket

/// Candidate addresses a viewer can try for a host bound to `bind`.
enum InterfaceAddresses {
    /// A wildcard bind lists every up, non-loopback IPv4 interface address
    /// first, then loopback (for a viewer on the same machine); a specific
    /// bind lists just itself.
    static func candidates(for bind: SocketAddress, port: Int) -> [TicketAddress] {
        var address = bind
        address.port = port
        if !bind.isUnspecified {
            return TicketAddress(address).map { [$0] } ?? []
        }
        var external: [TicketAddress] = []
        var loopback: [TicketAddress] = []
        let interfaces = (try? System.enumerateDevices()) ?? []
        for device in interfaces {
            guard var address = device.address, address.protocol == .inet else { continue }
            address.port = port
            guard let candidate = TicketAddress(address) else { continue }
            if candidate.isLoopback {
                loopback.append(candidate)
            } else if !external.contains(candidate) {
                external.append(candidate)
            }
        }
        if loopback.isEmpty, (1...65535).contains(port) {
            loopback = [TicketAddress(host: .ipv4([127, 0, 0, 1]), port: UInt16(port))]
        }
        return external + loopback.prefix(1)
    }

    /// Loopback is useless to a friend, and a viewer on this machine
    /// reaches the other addresses too. It stays only when nothing else
    /// exists (a loopback bind, or a machine with no network).
    static func forATicket(_ addresses: [TicketAddress]) -> [TicketAddress] {
        addresses.contains(where: { !$0.isLoopback }) ? addresses.filter { !$0.isLoopback } : addresses
    }

    /// This machine's global IPv6 addresses (2000::/3: no NAT in front of
    /// them, only a firewall at most) with `port`, for a dual-stack socket.
    static func globalIPv6(port: Int) -> [TicketAddress] {
        var found: [TicketAddress] = []
        for device in (try? System.enumerateDevices()) ?? [] {
            guard var address = device.address, address.protocol == .inet6,
                  let ip = address.natAddress?.ip, ip.isGlobalIPv6 else { continue }
            address.port = port
            if let candidate = TicketAddress(address), !found.contains(candidate) { found.append(candidate) }
        }
        return found
    }
}
