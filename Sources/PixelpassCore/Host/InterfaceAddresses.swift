import NIOCore
import NIOPosix
import PixelpassTicket

/// Candidate addresses a viewer can try for a host bound to `bind`.
enum InterfaceAddresses {
    /// A wildcard bind lists every up, non-loopback IPv4 interface address
    /// first, then loopback (for a viewer on the same machine); a specific
    /// bind lists just itself.
    static func candidates(for bind: SocketAddress, port: Int) -> [TicketAddress] {
        let host = bind.ipAddress ?? "0.0.0.0"
        if host != "0.0.0.0" && host != "::" {
            return TicketAddress("\(bind.protocol == .inet6 ? "[\(host)]" : host):\(port)").map { [$0] } ?? []
        }
        var external: [TicketAddress] = []
        var loopback: [TicketAddress] = []
        let interfaces = (try? System.enumerateDevices()) ?? []
        for device in interfaces {
            guard let address = device.address, address.protocol == .inet,
                  let ip = address.ipAddress,
                  let candidate = TicketAddress("\(ip):\(port)") else { continue }
            if candidate.isLoopback {
                loopback.append(candidate)
            } else if !external.contains(candidate) {
                external.append(candidate)
            }
        }
        if loopback.isEmpty, let local = TicketAddress("127.0.0.1:\(port)") { loopback = [local] }
        return external + loopback.prefix(1)
    }
}
