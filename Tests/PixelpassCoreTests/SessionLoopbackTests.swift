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

        stopAndCheckTheWholeShare(host, hostEvents)
    }

    func testAViewerJoinsIsRemovedAndTheShareStops() throws {
        let hostEvents = EventLog<HostSessionEvent>()
        let host = HostSession(try hostConfiguration(), onEvent: hostEvents.append)
        host.start()
        let ticket = try XCTUnwrap(hostEvents.first(within: 15) { event -> HostTicket? in
            if case .ticket(let ticket) = event { return ticket }
            return nil
        }, "no ticket: \(hostEvents.all)")
        let listening = try XCTUnwrap(hostEvents.first(within: 5) { event -> HostListening? in
            if case .listening(let listening) = event { return listening }
            return nil
        })
        XCTAssertEqual(listening.maxViewers, 4)
        XCTAssertTrue(listening.addresses.allSatisfy { $0.hasPrefix("127.0.0.1:") }, "\(listening.addresses)")

        let viewEvents = EventLog<ViewSessionEvent>()
        var viewConfiguration = ViewSessionConfiguration(ticket: try Ticket.parse(ticket.text), port: 0, player: .none)
        viewConfiguration.statsInterval = 0.2
        let view = ViewSession(viewConfiguration, onEvent: viewEvents.append)
        view.start()
        let url = try XCTUnwrap(viewEvents.first(within: 10) { event -> String? in
            if case .connected(let url, _, .direct) = event { return url }
            return nil
        }, "not connected: \(viewEvents.all)")
        XCTAssertTrue(url.hasPrefix("http://127.0.0.1:"), url)
        XCTAssertNotNil(viewEvents.first(within: 2) { event -> Bool? in
            if case .playerFailed(.none, .notRequested, url) = event { return true }
            return nil
        }, "player none: the session says no player was asked for, with the URL")
        XCTAssertNotNil(viewEvents.first(within: 3) { event -> Bool? in
            if case .stats(let status, _) = event, status.path == .direct { return true }
            return nil
        })

        let viewerID = try XCTUnwrap(hostEvents.first(within: 5) { event -> String? in
            if case .viewerJoined(let id, _, _, .direct) = event { return id }
            return nil
        })
        XCTAssertNotNil(hostEvents.first(within: 3) { event -> Bool? in
            if case .stats(let status, _) = event, status.viewers.map(\.id) == [viewerID] { return true }
            return nil
        }, "the stats show the viewer")

        XCTAssertTrue(try host.kick(viewerID: viewerID).wait())
        XCTAssertFalse(try host.kick(viewerID: "00000000").wait(), "no such viewer")
        let viewEnd = viewEvents.first(within: 10) { event -> ViewSessionEnd? in
            if case .ended(let end) = event { return end }
            return nil
        }
        XCTAssertEqual(viewEnd, .removed)
        XCTAssertNotNil(hostEvents.first(within: 5) { event -> Bool? in
            if case .viewerLeft(viewerID, .kicked) = event { return true }
            return nil
        })

        stopAndCheckTheWholeShare(host, hostEvents)
        guard case .ended? = viewEvents.all.last else { return XCTFail("ended is the viewer's last event") }
    }

    func testStoppingAViewerThatIsStillConnectingEndsAtOnce() throws {
        // Nothing answers on this port: the connection attempt would run for seconds.
        let address = try XCTUnwrap(TicketAddress("127.0.0.1:9"))
        let ticket = Ticket(fingerprint: Array(repeating: 7, count: 32), secret: Array(repeating: 1, count: 16),
                            addresses: [address])
        let events = EventLog<ViewSessionEvent>()
        let view = ViewSession(ViewSessionConfiguration(ticket: ticket, port: 0, player: .none), onEvent: events.append)
        view.start()
        XCTAssertNotNil(events.first(within: 2) { event -> String? in
            if case .connecting(let target) = event { return target }
            return nil
        })
        let stoppedAt = Date()
        view.stop()
        let end = events.first(within: 2) { event -> ViewSessionEnd? in
            if case .ended(let end) = event { return end }
            return nil
        }
        XCTAssertEqual(end, .interrupted)
        XCTAssertLessThan(Date().timeIntervalSince(stoppedAt), 1)
        XCTAssertEqual(events.all.count, 2, "connecting, ended: \(events.all)")
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

    /// Stops the share and checks its whole story: it began with preparing,
    /// ticket, listening and ended with stopping, ended.
    private func stopAndCheckTheWholeShare(_ host: HostSession, _ hostEvents: EventLog<HostSessionEvent>,
                                           file: StaticString = #filePath, line: UInt = #line) {
        host.stop()
        let hostEnd = hostEvents.first(within: 10) { event -> HostSessionEnd? in
            if case .ended(let end) = event { return end }
            return nil
        }
        XCTAssertEqual(hostEnd, .stopped, file: file, line: line)
        let all = hostEvents.all
        guard case .preparing(portalNotice: nil)? = all.first, case .ticket? = all.dropFirst().first,
              case .listening? = all.dropFirst(2).first else {
            return XCTFail("a share starts with preparing, ticket, listening: \(all)", file: file, line: line)
        }
        XCTAssertEqual(Array(all.suffix(2)), [.stopping(.stopped), .ended(.stopped)], file: file, line: line)
    }
}
