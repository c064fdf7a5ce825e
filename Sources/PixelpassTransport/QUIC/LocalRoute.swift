import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Which local address the kernel would send from toward a remote: a UDP
/// socket "connected" to it (no packet is sent) and asked for its name.
enum LocalRoute {
    static func sourceAddress(toward remote: SocketAddress, port: Int) -> SocketAddress? {
        let family = remote.protocol == .inet6 ? AF_INET6 : AF_INET
        let fd = socket(family, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let connected = remote.withSockAddr { address, length in
            connect(fd, address, socklen_t(length))
        }
        guard connected == 0 else { return nil }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { return nil }
        let local = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { SocketAddress(sockaddr: $0, length: Int(length)) }
        }?.ipAddress
        guard let local else { return nil }
        return try? SocketAddress(ipAddress: local, port: port)
    }
}
