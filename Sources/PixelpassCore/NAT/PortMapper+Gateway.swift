import Foundation
#if canImport(Glibc)
import Glibc
#endif
import PixelpassNAT

/// The IPv4 default gateway and our address toward it: where PCP, NAT-PMP
/// and UPnP requests go, and what the router is asked to forward to.
struct DefaultGateway: Hashable {
    var interface: String
    var address: NATIP

    /// The default route with the lowest metric in `/proc/net/route` text
    /// (addresses are hex in host byte order, little-endian here).
    static func parse(procNetRoute text: String) -> DefaultGateway? {
        var best: (DefaultGateway, Int)?
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            guard fields.count >= 8, fields[1] == "00000000", fields[7] == "00000000",
                  let gateway = UInt32(fields[2], radix: 16), gateway != 0,
                  let flags = UInt32(fields[3], radix: 16), flags & 0x3 == 0x3,  // RTF_UP | RTF_GATEWAY
                  let metric = Int(fields[6]) else { continue }
            let address = NATIP.v4(gateway.byteSwapped)
            if best == nil || metric < best!.1 { best = (DefaultGateway(interface: String(fields[0]), address: address), metric) }
        }
        return best?.0
    }

    static func current() -> DefaultGateway? {
        guard let text = try? String(contentsOfFile: "/proc/net/route", encoding: .utf8) else { return nil }
        return parse(procNetRoute: text)
    }

    /// The source address the kernel picks for packets to the gateway (a
    /// connected UDP socket sends nothing; getsockname tells).
    func localAddress() -> NATIP? {
        guard case .v4(let value) = address else { return nil }
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var remote = sockaddr_in()
        remote.sin_family = sa_family_t(AF_INET)
        remote.sin_port = PCP.port.bigEndian
        remote.sin_addr.s_addr = value.bigEndian
        let connected = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        var local = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { return nil }
        let ip = NATIP.v4(UInt32(bigEndian: local.sin_addr.s_addr))
        return ip.description == "0.0.0.0" ? nil : ip
    }
}
