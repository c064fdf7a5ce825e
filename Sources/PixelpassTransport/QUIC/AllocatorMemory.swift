#if canImport(Glibc)
import NIOCore
import Glibc
#endif

extension ConnectionAdmission.Source {
    /// IPv4: the address; IPv6: its /64.
    init(_ address: SocketAddress) {
        let bytes = address.sockaddrBytes
        switch address.protocol {
        case .inet6 where bytes.count >= 16:
            prefix = Array(bytes[8..<16])  // sin6_addr's first 8 bytes
        case .inet where bytes.count >= 8:
            prefix = Array(bytes[4..<8])  // sin_addr
        default:
            prefix = bytes
        }
    }
}

/// The C allocator's hold on freed memory.
enum AllocatorMemory {
    /// Returns freed heap pages to the system. glibc keeps what a burst of
    /// connections freed in its per-thread arenas for reuse, so without
    /// this the host's RSS stays at its flood peak for good.
    static func giveBack() {
        _ = mallocTrim?(0)
    }

    /// glibc's `malloc_trim`, looked up at run time: Swift's Glibc module
    /// does not import <malloc.h>, and another libc may not have it.
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
        return nil
        #endif
    }()
}
