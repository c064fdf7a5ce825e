import NIOCore
#if canImport(Glibc)
import Glibc
#endif

extension SocketAddress {
    /// Builds a NIO address from a C sockaddr (IPv4 or IPv6 only).
    init?(sockaddr pointer: UnsafePointer<sockaddr>, length: Int) {
        switch Int32(pointer.pointee.sa_family) {
        case AF_INET:
            guard length >= MemoryLayout<sockaddr_in>.size else { return nil }
            let addr = UnsafeRawPointer(pointer).loadUnaligned(as: sockaddr_in.self)
            self = SocketAddress(addr, host: "")
        case AF_INET6:
            guard length >= MemoryLayout<sockaddr_in6>.size else { return nil }
            let addr = UnsafeRawPointer(pointer).loadUnaligned(as: sockaddr_in6.self)
            self = SocketAddress(addr, host: "")
        default:
            return nil
        }
    }

    /// The raw sockaddr bytes, used to compare paths cheaply.
    var sockaddrBytes: [UInt8] {
        withSockAddr { pointer, length in
            Array(UnsafeRawBufferPointer(start: pointer, count: length))
        }
    }
}
