import Foundation
import NIOCore
import PixelpassNAT

extension SocketAddress {
    /// The same address in the NAT library's terms.
    var natAddress: NATAddress? {
        guard let ip = ipAddress, let port else { return nil }
        return NATAddress(self.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)")
    }
}

extension NATAddress {
    var socketAddress: SocketAddress? {
        let host: String
        switch ip {
        case .v4: host = ip.description
        case .v6: host = ip.description
        }
        return try? SocketAddress(ipAddress: host, port: Int(port))
    }
}

/// Resolves "host:port" (names or literals) off the event loop, giving up
/// after `timeout` seconds (no DNS must not hold up a share). Literal
/// addresses need no lookup. Each name is looked up on a thread of its own:
/// getaddrinfo can block for many seconds without DNS, and on the shared
/// dispatch pool (one thread per core) a few such lookups — the DHT's
/// bootstrap routers — would hold up the STUN and TURN servers' too.
enum ServerResolver {
    static func resolve(_ servers: [String], timeout: Double, on eventLoop: EventLoop) -> EventLoopFuture<[(String, SocketAddress)]> {
        let promise = eventLoop.makePromise(of: [(String, SocketAddress)].self)
        let collected = Collected()
        let group = DispatchGroup()
        for server in servers {
            guard let colon = server.lastIndex(of: ":"), let port = Int(server[server.index(after: colon)...]) else { continue }
            let bracketed = String(server[..<colon])
            let host = bracketed.hasPrefix("[") && bracketed.hasSuffix("]") ? String(bracketed.dropFirst().dropLast()) : bracketed
            if let literal = try? SocketAddress(ipAddress: host, port: port) {
                collected.add((server, literal))
                continue
            }
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                if let address = try? SocketAddress.makeAddressResolvingHost(host, port: port) {
                    collected.add((server, address))
                }
            }
        }
        // Whichever comes first, all answers or the timeout; on the loop, once.
        var finished = false
        let finish = {
            guard !finished else { return }
            finished = true
            let found = collected.snapshot()
            promise.succeed(servers.compactMap { name in found.first { $0.0 == name } })
        }
        let timer = eventLoop.scheduleTask(in: .milliseconds(Int64(timeout * 1000))) { finish() }
        group.notify(queue: .global()) {
            eventLoop.execute {
                timer.cancel()
                finish()
            }
        }
        return promise.futureResult
    }

    /// Answers from several loops' callbacks. `@unchecked Sendable`: `items`
    /// is only touched under `lock`.
    private final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [(String, SocketAddress)] = []
        func add(_ item: (String, SocketAddress)) { lock.lock(); items.append(item); lock.unlock() }
        func snapshot() -> [(String, SocketAddress)] { lock.lock(); defer { lock.unlock() }; return items }
    }
}

extension SocketAddress {
    /// 127.0.0.0/8 or ::1: nothing beyond this machine can reach it.
    /// 0.0.0.0 or ::: "every interface", not an address anyone can reach.
    var isUnspecified: Bool {
        switch self {
        case .v4(let address): return address.address.sin_addr.s_addr == 0
        case .v6(let address): return withUnsafeBytes(of: address.address.sin6_addr) { $0.allSatisfy { $0 == 0 } }
        case .unixDomainSocket: return false
        }
    }

    var isLoopback: Bool {
        switch self {
        case .v4(let address):
            // s_addr is in network order: its first byte is the first octet.
            return withUnsafeBytes(of: address.address.sin_addr) { $0[0] } == 127
        case .v6(let address):
            return withUnsafeBytes(of: address.address.sin6_addr) { Array($0) } == [UInt8](repeating: 0, count: 15) + [1]
        case .unixDomainSocket:
            return false
        }
    }
}
