#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser

/// Whether `view --port` can be had, checked before any connection to the
/// host: a busy port otherwise surfaced only after connecting.
enum RelayPortCheck {
    /// Binds and releases 127.0.0.1:`port` (TCP, SO_REUSEADDR as the relay does).
    static func ensureFree(_ port: Int) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return }  // nothing learned; the relay will say
        defer { close(fd) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound != 0 else { return }
        let reason = errno == EADDRINUSE ? "is already in use (another viewer, or another program)"
            : errno == EACCES ? "needs root (ports below 1024)" : "cannot be used (\(String(cString: strerror(errno))))"
        throw ValidationError("--port: 127.0.0.1:\(port) \(reason); pick another --port, or leave it out for a free one")
    }
}
