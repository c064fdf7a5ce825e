import XCTest
import PixelpassNAT
@testable import PixelpassDHT

final class DHTClientTests: XCTestCase {
    private let host = address("10.0.0.1:5000")
    private let viewer = address("10.0.0.2:6000")
    private let bootstrap = address("192.0.2.1:6881")
    private let infoHash = NodeID(bytes: Array(ascii("pixelpass test hash!")))!

    private func network(seed: UInt64 = 42, maxQueriesPerSecond: Int = 20) -> SimulatedDHT {
        var simulation = SimulatedDHT(nodeCount: 30, seed: seed)
        for (index, client) in [host, viewer].enumerated() {
            simulation.addClient(at: client, configuration: .init(bootstrap: [bootstrap],
                                                                  maxQueriesPerSecond: maxQueriesPerSecond,
                                                                  localPort: client.port),
                                 seed: seed + UInt64(index) + 100)
        }
        return simulation
    }

    /// Runs until `operation` finishes (at most a minute of simulated time).
    private func finish(_ operation: DHTOperation, of client: NATAddress, in simulation: inout SimulatedDHT,
                        file: StaticString = #filePath, line: UInt = #line) -> DHTOutcome? {
        let finished = simulation.run(for: 60 * sec) { $0.finished(operation, of: client) != nil }
        XCTAssertTrue(finished, "\(operation) did not finish", file: file, line: line)
        return simulation.finished(operation, of: client)
    }

    func testAnnounceStoresOurSourceAddressAtTheClosestNodesAndAViewerFindsIt() {
        var simulation = network()
        simulation.perform(host) { $0.start(now: $1) }
        simulation.run(for: 5 * sec)
        XCTAssertTrue(simulation.clients[host]!.isReachable)

        let announce = simulation.perform(host) { $0.announce(infoHash, now: $1) }
        XCTAssertEqual(finish(announce, of: host, in: &simulation), .done(respondedNodes: 8))
        for node in simulation.closestNodes(to: infoHash, count: 8) {
            XCTAssertEqual(node.peers[infoHash], [host], "closest node \(node.address) lacks the announce")
        }
        let announcedAt = simulation.nodes.values.filter { $0.peers[infoHash] != nil }.count
        XCTAssertEqual(announcedAt, 8, "announced beyond the k closest")

        let lookup = simulation.perform(viewer) { $0.getPeers(infoHash, now: $1) }
        guard case .done(let responded) = finish(lookup, of: viewer, in: &simulation) else {
            return XCTFail("viewer lookup failed")
        }
        XCTAssertGreaterThanOrEqual(responded, 8)
        XCTAssertEqual(simulation.peers(lookup, of: viewer), [host])

        // The poll: one round trip to at most pollWidth nodes.
        let pollStart = simulation.now
        let poll = simulation.perform(viewer) { $0.getPeers(infoHash, now: $1) }
        XCTAssertEqual(finish(poll, of: viewer, in: &simulation), .done(respondedNodes: 3))
        XCTAssertEqual(simulation.queryMethods(from: viewer, since: pollStart), ["get_peers", "get_peers", "get_peers"])
        XCTAssertLessThanOrEqual(simulation.now - pollStart, 2 * simulation.delay + 1)
        XCTAssertEqual(simulation.peers(poll, of: viewer), [host])
        let pollBytes = simulation.sent.filter { $0.from == viewer && $0.time >= pollStart }.map(\.bytes.count).reduce(0, +)
        XCTAssertLessThan(pollBytes, 600, "a poll should cost a few hundred bytes out")
    }

    /// A sharing host: announce, then poll the viewers' hash once a second.
    /// All its DHT traffic, both ways, must stay under 2 kB/s.
    func testPollingHostStaysUnderTwoKilobytesPerSecond() {
        var simulation = network(seed: 21)
        let viewerHash = NodeID(bytes: [UInt8](repeating: 0x5A, count: 20))!
        simulation.perform(host) { $0.start(now: $1) }
        let announce = simulation.perform(host) { $0.announce(infoHash, now: $1) }
        _ = finish(announce, of: host, in: &simulation)
        let first = simulation.perform(host) { $0.getPeers(viewerHash, now: $1) }
        _ = finish(first, of: host, in: &simulation)

        let steadyStart = simulation.now
        for _ in 0..<30 {
            let poll = simulation.perform(host) { $0.getPeers(viewerHash, now: $1) }
            XCTAssertEqual(finish(poll, of: host, in: &simulation), .done(respondedNodes: 3))
            // Wait for the next whole second, as the host's poll timer would.
            simulation.run(for: sec - (simulation.now - steadyStart) % sec)
        }
        let seconds = Double(simulation.now - steadyStart) / Double(sec)
        let out = simulation.sent.filter { $0.from == host && $0.time >= steadyStart }.map(\.bytes.count).reduce(0, +)
        let into = simulation.delivered.filter { $0.to == host && $0.time >= steadyStart }.map(\.bytes.count).reduce(0, +)
        XCTAssertGreaterThanOrEqual(seconds, 29)
        XCTAssertLessThan(Double(out + into) / seconds, 2000, "\(out) bytes out, \(into) in over \(seconds) s")
    }

    func testQueriesAreReadOnlyAndAnnounceUsesImpliedPort() throws {
        var simulation = network()
        let announce = simulation.perform(host) { $0.announce(infoHash, now: $1) }
        _ = finish(announce, of: host, in: &simulation)
        var sawAnnounce = false
        for sent in simulation.sent where sent.from == host {
            let top = try Bencode.decodeDictionary(sent.bytes)
            XCTAssertEqual(top["ro"], .integer(1))
            XCTAssertEqual(top["v"]?.bytesValue?.prefix(2), ArraySlice(ascii("PP")))
            if top["q"] == .string("announce_peer") {
                sawAnnounce = true
                XCTAssertEqual(top["a"]?.dictionaryValue?["implied_port"], .integer(1))
                XCTAssertEqual(top["a"]?.dictionaryValue?["port"], .integer(Int64(host.port)))
            }
        }
        XCTAssertTrue(sawAnnounce)
    }

    func testPutThenGetRoundTripsACandidateRecord() throws {
        var simulation = network(seed: 7)
        let keys = try XCTUnwrap(RendezvousKeys(secret: Array(UInt8(100)..<UInt8(116))))
        let record = CandidateRecord(addresses: [address("203.0.113.5:40000"), address("[2001:db8::5]:40000")],
                                     role: .host, session: 77, unixTime: 1_790_000_000)
        var random = SeededGenerator(seed: 1)
        let item = try keys.item(for: record, salt: RendezvousKeys.hostSalt, seq: 1, random: &random)
        let put = simulation.perform(host) { $0.put(item, keyPair: keys.keyPair, now: $1) }
        XCTAssertEqual(finish(put, of: host, in: &simulation), .done(respondedNodes: 8))
        for node in simulation.closestNodes(to: item.target, count: 8) {
            XCTAssertEqual(node.items[item.target], item)
        }

        let get = simulation.perform(viewer) {
            $0.get(publicKey: keys.keyPair.publicKey, salt: RendezvousKeys.hostSalt, now: $1)
        }
        guard case .done = finish(get, of: viewer, in: &simulation) else { return XCTFail("get failed") }
        let found = try XCTUnwrap(simulation.items(get, of: viewer).last)
        XCTAssertEqual(keys.record(in: found), record)

        // A newer record put with the same seq is signed again above the stored one.
        let newer = CandidateRecord(addresses: [address("203.0.113.5:40001")], role: .host, session: 78, unixTime: 1_790_000_060)
        let second = try keys.item(for: newer, salt: RendezvousKeys.hostSalt, seq: 1, random: &random)
        let reput = simulation.perform(host) { $0.put(second, keyPair: keys.keyPair, now: $1) }
        XCTAssertEqual(finish(reput, of: host, in: &simulation), .done(respondedNodes: 8))
        let again = simulation.perform(viewer) {
            $0.get(publicKey: keys.keyPair.publicKey, salt: RendezvousKeys.hostSalt, now: $1)
        }
        _ = finish(again, of: viewer, in: &simulation)
        let latest = try XCTUnwrap(simulation.items(again, of: viewer).last)
        XCTAssertEqual(latest.seq, 2)
        XCTAssertEqual(keys.record(in: latest), newer)
    }

    func testGetIgnoresItemsWithBadSignatures() throws {
        var simulation = network(seed: 9)
        let keyPair = try XCTUnwrap(Ed25519KeyPair(seed: [UInt8](repeating: 4, count: 32)))
        var forged = try MutableItem(signing: .string("real"), salt: [], seq: 5, keyPair: keyPair)
        forged.value = .string("fake")
        for address in simulation.nodes.keys { simulation.nodes[address]!.items[forged.target] = forged }
        let get = simulation.perform(viewer) { $0.get(publicKey: keyPair.publicKey, salt: [], now: $1) }
        guard case .done = finish(get, of: viewer, in: &simulation) else { return XCTFail("get failed") }
        XCTAssertEqual(simulation.items(get, of: viewer), [])
    }

    func testRateLimitHoldsInEverySecond() {
        var simulation = network(seed: 3, maxQueriesPerSecond: 5)
        simulation.perform(host) { $0.start(now: $1) }
        let announce = simulation.perform(host) { $0.announce(infoHash, now: $1) }
        let lookup = simulation.perform(host) { $0.getPeers(NodeID(bytes: [UInt8](repeating: 0xAB, count: 20))!, now: $1) }
        _ = finish(announce, of: host, in: &simulation)
        _ = finish(lookup, of: host, in: &simulation)
        let times = simulation.sent.filter { $0.from == host }.map(\.time)
        XCTAssertGreaterThan(times.count, 20)
        for (index, time) in times.enumerated() {
            let inWindow = times[index...].prefix { $0 < time + sec }.count
            XCTAssertLessThanOrEqual(inWindow, 5, "more than 5 sends in the second after \(time)")
        }
    }

    func testReflexiveMappingFromBEP42() {
        var independent = network(seed: 5)
        let mapped = address("203.0.113.5:40000")
        let host = self.host
        independent.translate = { client, _ in client == host ? mapped : client }
        independent.perform(host) { $0.start(now: $1) }
        independent.run(for: 5 * sec)
        XCTAssertEqual(independent.clients[host]!.reflexive.mapping, .endpointIndependent(mapped))
        XCTAssertTrue((independent.reports[host] ?? []).contains(.reflexiveAddress(mapped, reportedBy: bootstrap)))

        var symmetric = network(seed: 5)
        symmetric.translate = { client, destination in
            guard client == host else { return client }
            return NATAddress(ip: .v4(0xCB00_7105), port: 40000 &+ UInt16(truncatingIfNeeded: destination.ip.bytes[3]))
        }
        symmetric.perform(host) { $0.start(now: $1) }
        symmetric.run(for: 5 * sec)
        guard case .endpointDependent(let seen) = symmetric.clients[host]!.reflexive.mapping else {
            return XCTFail("expected endpoint-dependent, got \(symmetric.clients[host]!.reflexive.mapping)")
        }
        XCTAssertGreaterThanOrEqual(seen.count, 2)
    }

    func testUnansweredBootstrapFinishesUnreachable() {
        var simulation = network()
        simulation.nodes[bootstrap]!.silent = true
        simulation.perform(host) { $0.start(now: $1) }
        let started = simulation.now
        let announce = simulation.perform(host) { $0.announce(infoHash, now: $1) }
        XCTAssertEqual(finish(announce, of: host, in: &simulation), .unreachable)
        XCTAssertLessThanOrEqual(simulation.now - started, 4 * sec)
        XCTAssertFalse(simulation.clients[host]!.isReachable)
        XCTAssertEqual(simulation.clients[host]!.knownGoodNodes, [])
    }

    /// The fake nodes name the 8 closest nodes they know, silent ones
    /// included (as real routing tables hold dead nodes), so with the 3
    /// closest silent only the next 6 are ever found: they take the announce.
    func testSilentNodesTimeOutAndTheLookupMovesOn() {
        var simulation = network(seed: 11)
        let closest = simulation.closestNodes(to: infoHash, count: 9)
        for node in closest.prefix(3) { simulation.nodes[node.address]!.silent = true }
        let started = simulation.now
        let announce = simulation.perform(host) { $0.announce(infoHash, now: $1) }
        XCTAssertEqual(finish(announce, of: host, in: &simulation), .done(respondedNodes: 6))
        XCTAssertLessThan(simulation.now - started, 5 * sec, "timeouts should overlap, not add up")
        for node in closest.dropFirst(3) {
            XCTAssertEqual(simulation.nodes[node.address]!.peers[infoHash], [host],
                           "\(node.address) should have taken the announce")
        }
        let good = simulation.clients[host]!.knownGoodNodes
        XCTAssertFalse(good.contains(closest[0].address))
        XCTAssertTrue(good.contains(bootstrap))
        XCTAssertLessThanOrEqual(good.count, 64)
    }

    func testCancelStopsReports() {
        var simulation = network()
        let lookup = simulation.perform(host) { $0.getPeers(infoHash, now: $1) }
        simulation.perform(host) { _ = $1; return $0.cancel(lookup) }
        simulation.run(for: 10 * sec)
        XCTAssertNil(simulation.finished(lookup, of: host))
    }

    func testAnswersNoQueryNotEvenPingButClaimsThem() throws {
        var client = DHTClient(configuration: .init(bootstrap: []), random: SeededGenerator(seed: 1))
        let asker = NodeID(bytes: [UInt8](repeating: 1, count: 20))!
        let pinger = address("198.51.100.1:1234")
        for query in [KRPCQuery.ping, .findNode(target: asker, want: nil), .getPeers(infoHash: asker, want: nil),
                      .get(target: asker, seq: nil, want: nil), .other(method: ascii("vote"))] {
            let message = KRPCMessage(transactionID: ascii("q1"), body: .query(id: asker, query, readOnly: false))
            // Claimed (not QUIC's), and nothing is sent back.
            let actions = try XCTUnwrap(client.received(message.encoded, from: pinger, now: 0))
            XCTAssertFalse(actions.contains { if case .send = $0 { return true }; return false }, "\(query)")
        }
    }

    func testGarbageAndStrayDatagramsReturnNil() throws {
        var simulation = network()
        _ = simulation.perform(host) { $0.announce(infoHash, now: $1) }
        var client = simulation.clients[host]!
        let source = address("192.0.2.2:6881")
        var random = SeededGenerator(seed: 99)
        for index in 0..<1000 {
            var bytes = (0..<Int.random(in: 0..<200, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            if index % 2 == 0 { bytes = ascii("d1:") + bytes + ascii("e") }  // plausible-looking
            XCTAssertNil(client.received(bytes, from: source, now: simulation.now))
        }
        // A well-formed response with a transaction id we never sent, or from the wrong address.
        let stray = KRPCMessage(transactionID: ascii("zz"), body: .response(KRPCResponse(id: simulation.nodes[source]!.id)))
        XCTAssertNil(client.received(stray.encoded, from: source, now: simulation.now))
        let query = try XCTUnwrap(simulation.sent.first { $0.from == host })
        let transactionID = try KRPCMessage(decoding: query.bytes).transactionID
        let reply = KRPCMessage(transactionID: transactionID, body: .response(KRPCResponse(id: simulation.nodes[source]!.id)))
        XCTAssertNil(client.received(reply.encoded, from: address("198.51.100.66:6881"), now: simulation.now))
        XCTAssertNotNil(client.received(reply.encoded, from: query.to, now: simulation.now))
        // Truncations of a real reply are never accepted.
        let full = reply.encoded
        for cut in 0..<full.count {
            XCTAssertNil(client.received(Array(full.prefix(cut)), from: query.to, now: simulation.now))
        }
    }

    /// An IPv6 instance talks IPv6 only: v4 seeds and `nodes` are ignored,
    /// `nodes6` followed, entries with port 0 or our own id dropped.
    func testIPv6InstanceFollowsNodes6Only() throws {
        let router = address("[2001:db8::1]:6881")
        var client = DHTClient(configuration: .init(family: .v6, bootstrap: [router, address("192.0.2.1:6881")]),
                               random: SeededGenerator(seed: 4))
        let first = client.start(now: 0).compactMap { if case .send(let bytes, let to) = $0 { (bytes, to) } else { nil } }
        XCTAssertEqual(first.map(\.1), [router])
        let query = try KRPCMessage(decoding: first[0].0)
        let other = NodeID(bytes: [UInt8](repeating: 0x11, count: 20))!
        let good = NodeInfo(id: NodeID(bytes: [UInt8](repeating: 0x22, count: 20))!, address: address("[2001:db8::2]:6881"))
        let response = KRPCResponse(
            id: other,
            nodes: [NodeInfo(id: other, address: address("198.51.100.1:6881"))],
            nodes6: [good, NodeInfo(id: other, address: address("[2001:db8::3]:0")),
                     NodeInfo(id: client.nodeID, address: address("[2001:db8::4]:6881"))])
        let reply = KRPCMessage(transactionID: query.transactionID, body: .response(response),
                                requesterAddress: address("[2001:db8::99]:5000"))
        let actions = try XCTUnwrap(client.received(reply.encoded, from: router, now: 10 * ms))
        let next = actions.compactMap { if case .send(_, let to) = $0 { to } else { nil } }
        XCTAssertEqual(next, [good.address])
        XCTAssertTrue(actions.contains(.reflexiveAddress(address("[2001:db8::99]:5000"), reportedBy: router)))
        XCTAssertTrue(client.isReachable)
    }

    func testOneTimerAtTheEarliestDeadline() {
        var client = DHTClient(configuration: .init(bootstrap: [bootstrap, address("192.0.2.2:6881")],
                                                    queryTimeout: 1_500 * ms), random: SeededGenerator(seed: 1))
        let actions = client.start(now: 10 * sec)
        let timers = actions.compactMap { if case .setTimer(let at) = $0 { at } else { nil } }
        XCTAssertEqual(timers, [11_500 * ms])
        XCTAssertEqual(actions.filter { if case .send = $0 { true } else { false } }.count, 2)
        // Early firing changes nothing; the deadline is re-armed.
        XCTAssertEqual(client.timerFired(now: 11 * sec), [.setTimer(deadline: 11_500 * ms)])
        XCTAssertEqual(client.timerFired(now: 11_500 * ms), [])
    }
}
