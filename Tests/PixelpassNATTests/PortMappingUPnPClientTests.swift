import XCTest
@testable import PixelpassNAT

final class PortMappingUPnPClientTests: XCTestCase {
    private typealias T = PortMappingUPnPTests
    private let t0: UInt64 = 9 * sec
    private let gateway = NATIP("10.1.0.1")!
    private let ssdpReply = Array("HTTP/1.1 200 OK\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\nLOCATION: http://10.1.0.1:5000/rootDesc.xml\r\n\r\n".utf8)

    private func makeClient(deadline: UInt64 = 2 * sec) -> UPnPClient {
        UPnPClient(configuration: .init(client: NATIP("10.1.0.10")!, internalPort: 4500, deadline: deadline, gateway: gateway),
                   random: SeededGenerator(seed: 3))
    }

    private func requests(_ actions: [UPnPClient.Action]) -> [(id: Int, request: HTTPRequest)] {
        actions.compactMap { if case .http(let id, let request) = $0 { (id, request) } else { nil } }
    }

    private func soapAction(_ request: HTTPRequest) -> String? {
        request.headers["SOAPAction"].flatMap { $0.split(separator: "#").last.map { String($0.dropLast()) } }
    }

    private func body(_ request: HTTPRequest) -> String { String(decoding: request.body, as: UTF8.self) }

    /// Runs the client up to its AddPortMapping request.
    private func untilAdd(_ machine: inout UPnPClient) throws -> (id: Int, request: HTTPRequest) {
        let started = machine.start(now: t0)
        guard case .search(let datagrams)? = started.first else { throw XCTSkip("no search: \(started)") }
        XCTAssertEqual(datagrams.count, SSDP.searchTargets.count)
        XCTAssertEqual(machine.receivedSSDP(ssdpReply, from: NATIP("10.1.0.99")!, now: t0 + ms), [], "only the default gateway counts")
        let describe = try XCTUnwrap(requests(machine.receivedSSDP(ssdpReply, from: gateway, now: t0 + ms)).first)
        XCTAssertEqual(describe.request.method, "GET")
        XCTAssertEqual(describe.request.url, T.location)
        let afterDescription = machine.httpResponse(id: describe.id, bytes: T.http(200, T.description), now: t0 + 2 * ms)
        XCTAssertTrue(afterDescription.contains(.found(location: T.location, serviceType: "urn:schemas-upnp-org:service:WANIPConnection:1",
                                                       friendlyName: "Lab Router & Co")))
        let address = try XCTUnwrap(requests(afterDescription).first)
        XCTAssertEqual(soapAction(address.request), "GetExternalIPAddress")
        XCTAssertEqual(address.request.url.description, "http://10.1.0.1:5000/ctl/IPConn")
        let reply = T.soapResponse("GetExternalIPAddress", "<NewExternalIPAddress>203.0.113.10</NewExternalIPAddress>")
        let add = try XCTUnwrap(requests(machine.httpResponse(id: address.id, bytes: reply, now: t0 + 3 * ms)).first)
        XCTAssertEqual(soapAction(add.request), "AddPortMapping")
        return add
    }

    func testMapsRefreshesAndDeletes() throws {
        var machine = makeClient()
        let add = try untilAdd(&machine)
        XCTAssertTrue(body(add.request).contains("<NewExternalPort>4500</NewExternalPort>"))
        XCTAssertTrue(body(add.request).contains("<NewInternalClient>10.1.0.10</NewInternalClient>"))
        XCTAssertTrue(body(add.request).contains("<NewLeaseDuration>3600</NewLeaseDuration>"))
        let lease = PortMappingLease(mappingProtocol: .upnp, external: address("203.0.113.10:4500"), internalPort: 4500, lifetime: 3600)
        XCTAssertEqual(machine.httpResponse(id: add.id, bytes: T.soapResponse("AddPortMapping"), now: t0 + 4 * ms), [.mapped(lease)])
        XCTAssertEqual(machine.currentLease, lease)
        // A stale answer is ignored.
        XCTAssertEqual(machine.httpResponse(id: add.id, bytes: T.soapResponse("AddPortMapping"), now: t0 + 5 * ms), [])

        let refresh = try XCTUnwrap(requests(machine.refresh(now: t0 + 1800 * sec)).first)
        XCTAssertTrue(body(refresh.request).contains("<NewExternalPort>4500</NewExternalPort>"))
        XCTAssertEqual(machine.httpResponse(id: refresh.id, bytes: T.soapResponse("AddPortMapping"), now: t0 + 1800 * sec), [.mapped(lease)])

        let delete = try XCTUnwrap(requests(machine.release(now: t0 + 2000 * sec)).first)
        XCTAssertEqual(soapAction(delete.request), "DeletePortMapping")
        XCTAssertEqual(machine.httpResponse(id: delete.id, bytes: T.soapResponse("DeletePortMapping"), now: t0 + 2000 * sec),
                       [.released(confirmed: true)])
        XCTAssertNil(machine.currentLease)
    }

    func testConflictTriesAnotherPort() throws {
        var machine = makeClient()
        let add = try untilAdd(&machine)
        let conflict = machine.httpResponse(id: add.id, bytes: T.soapFault(718, "ConflictInMappingEntry"), now: t0 + 4 * ms)
        XCTAssertEqual(conflict.first, .retrying(UPnPError(code: 718, gatewayDescription: "ConflictInMappingEntry")))
        let retry = try XCTUnwrap(requests(conflict).first)
        XCTAssertFalse(body(retry.request).contains("<NewExternalPort>4500</NewExternalPort>"))
        let port = try XCTUnwrap(body(retry.request).split(separator: "<NewExternalPort>")[1].split(separator: "<").first.flatMap { UInt16($0) })
        XCTAssertTrue((20000...60000).contains(port))
        XCTAssertTrue(body(retry.request).contains("<NewInternalPort>4500</NewInternalPort>"))
        let mapped = machine.httpResponse(id: retry.id, bytes: T.soapResponse("AddPortMapping"), now: t0 + 5 * ms)
        XCTAssertEqual(mapped, [.mapped(PortMappingLease(mappingProtocol: .upnp, external: NATAddress(ip: NATIP("203.0.113.10")!, port: port),
                                                          internalPort: 4500, lifetime: 3600))])
    }

    func testConflictGivesUpAfterMaxAttempts() throws {
        var machine = makeClient()
        var add = try untilAdd(&machine)
        for _ in 1..<4 {
            add = try XCTUnwrap(requests(machine.httpResponse(id: add.id, bytes: T.soapFault(718, "Conflict"), now: t0 + 4 * ms)).first)
        }
        XCTAssertEqual(machine.httpResponse(id: add.id, bytes: T.soapFault(718, "Conflict"), now: t0 + 5 * ms),
                       [.failed(.upnp(UPnPError(code: 718, gatewayDescription: "Conflict")))])
    }

    func testOnlyPermanentLeasesFallsBackToLeaseZero() throws {
        var machine = makeClient()
        let add = try untilAdd(&machine)
        let retry = try XCTUnwrap(requests(machine.httpResponse(id: add.id, bytes: T.soapFault(725, "OnlyPermanentLeasesSupported"),
                                                                now: t0 + 4 * ms)).first)
        XCTAssertTrue(body(retry.request).contains("<NewLeaseDuration>0</NewLeaseDuration>"))
        let mapped = machine.httpResponse(id: retry.id, bytes: T.soapResponse("AddPortMapping"), now: t0 + 5 * ms)
        guard case .mapped(let lease)? = mapped.first else { return XCTFail("\(mapped)") }
        XCTAssertEqual(lease.lifetime, 0)
        XCTAssertNil(lease.refreshAfterSeconds, "a permanent lease is not refreshed")
    }

    func testSearchResendsThenGivesUp() {
        var machine = makeClient(deadline: sec)
        var actions = machine.start(now: t0)
        var searches = 1
        var failure: PortMappingFailure?
        while failure == nil {
            guard let timer = actions.compactMap({ if case .setTimer(let at) = $0 { at } else { nil } }).last else { return XCTFail("\(actions)") }
            actions = machine.timerFired(now: timer)
            for action in actions {
                if case .search = action { searches += 1 }
                if case .failed(let reason) = action { failure = reason }
            }
        }
        XCTAssertEqual(searches, 3, "at 0, 250 and 750 ms")
        XCTAssertEqual(failure, .noResponse(.upnp, requestsSent: 3))
    }

    func testHTTPProblemsAreTyped() throws {
        var machine = makeClient()
        _ = machine.start(now: t0)
        let describe = try XCTUnwrap(requests(machine.receivedSSDP(ssdpReply, from: gateway, now: t0)).first)
        XCTAssertEqual(machine.httpResponse(id: describe.id, bytes: T.http(200, "<html/>"), now: t0 + ms),
                       [.failed(.invalidResponse(.upnp, "the device description is not UPnP XML"))])

        var silent = makeClient()
        _ = silent.start(now: t0)
        let pending = try XCTUnwrap(requests(silent.receivedSSDP(ssdpReply, from: gateway, now: t0)).first)
        XCTAssertEqual(silent.timerFired(now: t0 + 2 * sec), [.failed(.http("the gateway did not answer in time"))])
        XCTAssertEqual(silent.httpResponse(id: pending.id, bytes: T.http(200, T.description), now: t0 + 3 * sec), [])

        var refused = makeClient()
        _ = refused.start(now: t0)
        let connect = try XCTUnwrap(requests(refused.receivedSSDP(ssdpReply, from: gateway, now: t0)).first)
        XCTAssertEqual(refused.httpFailed(id: connect.id, reason: "connection refused", now: t0 + ms), [.failed(.http("connection refused"))])
    }

    func testNoExternalAddress() throws {
        var machine = makeClient()
        _ = machine.start(now: t0)
        let describe = try XCTUnwrap(requests(machine.receivedSSDP(ssdpReply, from: gateway, now: t0)).first)
        let address = try XCTUnwrap(requests(machine.httpResponse(id: describe.id, bytes: T.http(200, T.description), now: t0)).first)
        let reply = T.soapResponse("GetExternalIPAddress", "<NewExternalIPAddress>0.0.0.0</NewExternalIPAddress>")
        XCTAssertEqual(machine.httpResponse(id: address.id, bytes: reply, now: t0), [.failed(.noExternalAddress(.upnp))])
    }
}

/// Random and mutated input into every port-mapping decoder: typed errors
/// or values, never a crash.
final class PortMappingMalformedInputTests: XCTestCase {
    func testDecodersSurviveGarbage() {
        var random = SeededGenerator(seed: 42)
        let seeds: [[UInt8]] = [
            hexBytes("00 81 0000 000003e8 1194 1195 00000e10"),
            hexBytes("00 80 0000 000003e8 cb00710a"),
            PCP.MapRequest(nonce: PCP.Nonce(bytes: Array(1...12))!, client: .v4(1), internalPort: 1, lifetime: 1).encode().enumerated()
                .map { $0.offset == 1 ? 0x81 : $0.element },
            PortMappingUPnPTests.soapFault(718, "x"),
            PortMappingUPnPTests.http(200, PortMappingUPnPTests.description),
            Array("HTTP/1.1 200 OK\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\nLOCATION: http://1.2.3.4/\r\n\r\n".utf8),
        ]
        for round in 0..<3000 {
            var bytes = seeds[round % seeds.count]
            switch round % 3 {
            case 0: bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random)))
            case 1: for _ in 0..<4 where !bytes.isEmpty { bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random) }
            default: bytes = (0..<Int.random(in: 0...80, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            }
            _ = try? NATPMP.decode(bytes)
            _ = try? PCP.decode(bytes)
            _ = try? SSDP.parseResponse(bytes)
            if let response = try? HTTPResponse.parse(bytes) {
                _ = try? UPnPSOAP.parseResponse(response, action: "AddPortMapping")
                _ = try? UPnPDeviceDescription.parse(String(decoding: response.body, as: UTF8.self), location: PortMappingUPnPTests.location)
            }
        }
    }
}
