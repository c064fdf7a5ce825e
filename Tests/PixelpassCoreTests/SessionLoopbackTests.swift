import Foundation
import NIOCore
import PixelpassMedia
import PixelpassTicket
import XCTest
@testable import PixelpassCore

/// The two real session drivers against each other on 127.0.0.1 (test
/// pattern, no player): the event streams front ends render, in order.
final class SessionLoopbackTests: XCTestCase {
    /// Events from a session's loop, waited for from the test's thread.
    final class EventLog<Event>: @unchecked Sendable {
        private let condition = NSCondition()
        private var events: [Event] = []

        func append(_ event: Event) {
            condition.lock()
            events.append(event)
            condition.broadcast()
            condition.unlock()
        }

        var all: [Event] {
            condition.lock()
            defer { condition.unlock() }
            return events
        }

        /// The first event `match` accepts, waiting up to `timeout` seconds.
        func first<T>(within timeout: Double, _ match: (Event) -> T?) -> T? {
            let deadline = Date(timeIntervalSinceNow: timeout)
            condition.lock()
            defer { condition.unlock() }
            while true {
                if let found = events.lazy.compactMap(match).first { return found }
                if !condition.wait(until: deadline) { return events.lazy.compactMap(match).first }
            }
        }
    }

    private func hostConfiguration() throws -> HostSessionConfiguration {
        let media = MediaSettings(source: .test, encoder: .automatic(allowHardware: false), width: 320, height: 180,
                                  bitrateKbps: 300)
        var host = HostConfiguration(bind: try SocketAddress(ipAddress: "127.0.0.1", port: 0), media: media)
        host.nat = NATSettings(stunServers: [], turn: nil, portMapping: false)
        var configuration = HostSessionConfiguration(host: host)
        configuration.statsInterval = 0.2
        return configuration
    }

    func testAShareAnnouncesItsTicketAndStops() throws {
        let hostEvents = EventLog<HostSessionEvent>()
        let host = HostSession(try hostConfiguration(), onEvent: hostEvents.append)
        host.start()
        let ticket = try XCTUnwrap(hostEvents.first(within: 15) { event -> HostTicket? in
            if case .ticket(let ticket) = event { return ticket }
            return nil
        }, "no ticket: \(hostEvents.all)")
        XCTAssertEqual(try Ticket.parse(ticket.text).fingerprintHex, ticket.fingerprint)
        let listening = try XCTUnwrap(hostEvents.first(within: 5) { event -> HostListening? in
            if case .listening(let listening) = event { return listening }
            return nil
        })
        XCTAssertEqual(listening.maxViewers, 4)
        XCTAssertTrue(listening.addresses.allSatisfy { $0.hasPrefix("127.0.0.1:") }, "\(listening.addresses)")
        XCTAssertNotNil(hostEvents.first(within: 3) { event -> Bool? in
            if case .stats(let status, _) = event, status.viewers.isEmpty { return true }
            return nil
        }, "stats come while serving")

        host.stop()
        let hostEnd = hostEvents.first(within: 10) { event -> HostSessionEnd? in
            if case .ended(let end) = event { return end }
            return nil
        }
        XCTAssertEqual(hostEnd, .stopped)
        let all = hostEvents.all
        guard case .preparing(portalNotice: nil)? = all.first, case .ticket? = all.dropFirst().first,
              case .listening? = all.dropFirst(2).first else {
            return XCTFail("a share starts with preparing, ticket, listening: \(all)")
        }
        XCTAssertEqual(Array(all.suffix(2)), [.stopping(.stopped), .ended(.stopped)])
    }

    func testAShareThatCannotHaveItsSourceSaysWhyAndEnds() throws {
        var configuration = try hostConfiguration()
        configuration.host.media.source = .x11(X11Capture(display: ":97", target: .screen))
        let events = EventLog<HostSessionEvent>()
        let host = HostSession(configuration, onEvent: events.append)
        host.start()
        let end = events.first(within: 15) { event -> HostSessionEnd? in
            if case .ended(let end) = event { return end }
            return nil
        }
        guard case .failed(.media)? = end else { return XCTFail("expected a media failure, got \(events.all)") }
        guard events.all.count == 3, case .preparing = events.all[0], case .error(.media) = events.all[1] else {
            return XCTFail("preparing, error, ended: \(events.all)")
        }
    }
}
