import Foundation
import NIOCore
import PixelpassNAT
#if canImport(Glibc)
import Glibc
#endif

/// The first routers toward an address, traceroute-style: UDP datagrams
/// with TTL 1, 2, … from a throwaway socket, and the ICMP "time exceeded"
/// each router sends back, read from the socket's error queue (IP_RECVERR).
/// Blocking: run it off the event loop. IPv4 only.
enum HopProbe {
    private static let marker = Array("PXPHOP".utf8)

    /// The router at each hop (nil where none answered within `timeout`).
    static func trace(toward target: SocketAddress, maxHops: Int = OpenerTTL.most, timeout: Double = 0.5) -> [NATIP?] {
        var hops = [NATIP?](repeating: nil, count: maxHops)
        guard case .v4(let v4) = target else { return hops }
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return hops }
        defer { close(fd) }
        var on: Int32 = 1
        guard setsockopt(fd, Int32(IPPROTO_IP), IP_RECVERR, &on, socklen_t(MemoryLayout<Int32>.size)) == 0 else { return hops }
        var destination = v4.address
        for ttl in 1...maxHops {
            var value = Int32(ttl)
            setsockopt(fd, Int32(IPPROTO_IP), IP_TTL, &value, socklen_t(MemoryLayout<Int32>.size))
            let payload = marker + [UInt8(ttl)]
            // With IP_RECVERR, the ICMP error an earlier probe caused is
            // reported by the next send, which then sends nothing: try again.
            for _ in 0..<3 {
                let sent = payload.withUnsafeBytes { bytes in
                    withUnsafePointer(to: &destination) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            sendto(fd, bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                        }
                    }
                }
                if sent >= 0 { break }
            }
        }
        let deadline = Date().addingTimeInterval(timeout)
        while hops.contains(where: { $0 == nil }) {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { break }
            var poller = pollfd(fd: fd, events: Int16(POLLERR), revents: 0)
            guard poll(&poller, 1, Int32(left * 1000) + 1) > 0 else { break }
            guard let (ttl, router) = readError(fd), (1...maxHops).contains(ttl) else { continue }
            hops[ttl - 1] = router
        }
        return hops
    }

    /// One message from the error queue: the probe's TTL (from its echoed
    /// payload) and the router that said its time was exceeded.
    private static func readError(_ fd: Int32) -> (Int, NATIP)? {
        var payload = [UInt8](repeating: 0, count: 64)
        var control = [UInt8](repeating: 0, count: 512)
        var offender = sockaddr_in()
        return payload.withUnsafeMutableBytes { payloadBytes -> (Int, NATIP)? in
            control.withUnsafeMutableBytes { controlBytes -> (Int, NATIP)? in
                var vector = iovec(iov_base: payloadBytes.baseAddress, iov_len: payloadBytes.count)
                return withUnsafeMutablePointer(to: &vector) { vectorPointer -> (Int, NATIP)? in
                    var message = msghdr()
                    message.msg_iov = vectorPointer
                    message.msg_iovlen = 1
                    message.msg_control = controlBytes.baseAddress
                    message.msg_controllen = controlBytes.count
                    let received = recvmsg(fd, &message, Int32(MSG_ERRQUEUE))
                    guard received >= marker.count + 1,
                          Array(payloadBytes.prefix(marker.count)) == marker else { return nil }
                    let ttl = Int(payloadBytes[marker.count])
                    // cmsghdr: length (8), level (4), type (4), then data.
                    var offset = 0
                    let length = Int(message.msg_controllen)
                    while offset + 16 <= length {
                        let cmsgLength = controlBytes.load(fromByteOffset: offset, as: Int.self)
                        let level = controlBytes.load(fromByteOffset: offset + 8, as: Int32.self)
                        let type = controlBytes.load(fromByteOffset: offset + 12, as: Int32.self)
                        guard cmsgLength >= 16 else { break }
                        // sock_extended_err: errno (4), origin, type, code, pad, info (4), data (4),
                        // then the offender's sockaddr_in.
                        if level == Int32(IPPROTO_IP), type == IP_RECVERR,
                           offset + 16 + 16 + MemoryLayout<sockaddr_in>.size <= length {
                            let origin = controlBytes[offset + 16 + 4]
                            let icmpType = controlBytes[offset + 16 + 5]
                            guard origin == 2, icmpType == 11 else { return nil }  // ICMP, time exceeded
                            withUnsafeMutableBytes(of: &offender) { raw in
                                raw.copyMemory(from: UnsafeRawBufferPointer(rebasing:
                                    controlBytes[(offset + 32)..<(offset + 32 + MemoryLayout<sockaddr_in>.size)]))
                            }
                            return (ttl, .v4(UInt32(bigEndian: offender.sin_addr.s_addr)))
                        }
                        offset += (cmsgLength + 7) & ~7
                    }
                    return nil
                }
            }
        }
    }
}
