import Foundation
import NIOPosix
import PixelpassNAT
@testable import PixelpassCore
import XCTest

/// The port mapper's I/O against a fake NAT-PMP gateway on 127.0.0.1:5351
/// (it answers PCP with UNSUPP_VERSION, as RFC 6887 §9 says an old server
/// does): fallback, the mapping, and its deletion over real sockets.
final class PortMapperLoopbackTests: XCTestCase {
    /// Answers on a thread; records every request.
    final class FakeNATPMPGateway: @unchecked Sendable {
        let fd: Int32
        private let lock = NSLock()
        private var _requests: [[UInt8]] = []
        var requests: [[UInt8]] { lock.lock(); defer { lock.unlock() }; return _requests }
        private var stopped = false

        init?() {
            fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = PCP.port.bigEndian
            address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard fd >= 0, bound == 0 else { close(fd); return nil }
            Thread.detachNewThread { self.serve() }
        }

        func stop() { lock.lock(); stopped = true; lock.unlock() }

        private func serve() {
            var buffer = [UInt8](repeating: 0, count: 1500)
            while true {
                lock.lock(); let done = stopped; lock.unlock()
                if done { close(fd); return }
                var from = sockaddr_in()
                var length = socklen_t(MemoryLayout<sockaddr_in>.size)
                let count = withUnsafeMutablePointer(to: &from) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, &buffer, buffer.count, 0, $0, &length) }
                }
                guard count > 0 else { continue }
                let request = Array(buffer[..<count])
                lock.lock(); _requests.append(request); lock.unlock()
                var reply: [UInt8]
                switch (request[0], request[1]) {
                case (2, _): reply = [0, 0x81, 0, 1, 0, 0, 0, 9]                        // UNSUPP_VERSION, NAT-PMP style
                case (0, 0): reply = [0, 0x80, 0, 0, 0, 0, 0, 9, 203, 0, 113, 77]
                case (0, 1): reply = [0, 0x81, 0, 0, 0, 0, 0, 9] + request[4..<6] + request[6..<12]  // grants what was asked
                default: continue
                }
                _ = withUnsafePointer(to: &from) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, &reply, reply.count, 0, $0, length) }
                }
            }
        }
    }

    func testFallsBackToNATPMPMapsAndDeletes() throws {
        guard let gateway = FakeNATPMPGateway() else { throw XCTSkip("127.0.0.1:5351 is in use") }
        defer { gateway.stop() }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()

        let started = Date()
        let mapper = try XCTUnwrap(PortMapper.start(internalPort: 40123, lanAddress: NATIP("127.0.0.1"), gateway: NATIP("127.0.0.1"),
                                                    lifetime: 600, deadline: 1.0, logger: .silent, on: loop).wait())
        XCTAssertLessThan(Date().timeIntervalSince(started), 1.0, "PCP/NAT-PMP answered at once; no waiting for UPnP")
        let lease = try loop.submit { mapper.lease }.wait()
        XCTAssertEqual(lease, PortMappingLease(mappingProtocol: .natPMP, external: NATAddress("203.0.113.77:40123")!,
                                               internalPort: 40123, lifetime: 600))
        try mapper.release().wait()
        let requests = gateway.requests
        XCTAssertEqual(requests.first?.count, 60, "PCP first")
        XCTAssertEqual(requests.last, NATPMP.mapRequest(internalPort: 40123, suggestedExternalPort: 0, lifetime: 0), "then deleted")
        XCTAssertNil(try loop.submit { mapper.lease }.wait())
    }

    func testNothingAnswersWithinTheDeadline() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        // Nothing listens on 127.0.0.2:5351 (ICMP errors do not reach an
        // unconnected UDP socket): the deadline ends it.
        let started = Date()
        let mapper = try PortMapper.start(internalPort: 40124, lanAddress: NATIP("127.0.0.1"), gateway: NATIP("127.0.0.2"),
                                          deadline: 0.5, logger: .silent, on: group.next()).wait()
        XCTAssertNil(mapper)
        XCTAssertLessThan(Date().timeIntervalSince(started), 1.0)
    }
}
