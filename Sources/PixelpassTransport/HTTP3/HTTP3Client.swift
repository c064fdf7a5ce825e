import NIOCore

/// Why connecting to a host failed.
public enum HTTP3ConnectError: Error, Equatable, CustomStringConvertible {
    /// Some address answered with a certificate the ticket does not pin.
    case identityMismatch(address: String)
    /// No address completed a handshake.
    case unreachable([String])

    public var description: String {
        switch self {
        case .identityMismatch(let address):
            return "the host at \(address) is not the one this ticket was made for"
        case .unreachable(let reasons):
            return "no answer from the host (\(reasons.joined(separator: "; ")))"
        }
    }
}

/// An HTTP/3 client connection to a host whose certificate is pinned. The
/// first candidate address to finish the handshake wins.
public final class HTTP3Client {
    private let endpoints: [QUICEndpoint]
    private let connection: QUICConnection
    private let session: HTTP3Session
    public let authority: String
    /// Called once when the connection ends after it was established.
    public var onClose: ((QUICCloseReason) -> Void)?

    public var peer: HTTP3Peer { session.peer }
    public var eventLoop: EventLoop { endpoints[0].eventLoop }
    public var isConnected: Bool { !connection.isClosed }
    /// The UDP sockets (one per address family), for STUN/TURN/probes.
    public var sockets: [SharedDatagramSocket] { endpoints.map(\.shared) }

    private init(endpoints: [QUICEndpoint], connection: QUICConnection, session: HTTP3Session, authority: String) {
        self.endpoints = endpoints
        self.connection = connection
        self.session = session
        self.authority = authority
    }

    /// Races a handshake to every candidate; fails with `HTTP3ConnectError`.
    /// `prepare` runs once per socket after binding and before the race (to
    /// install a side channel, e.g. a TURN allocation some candidates need).
    public static func connect(to candidates: [SocketAddress], pinnedFingerprint: [UInt8],
                               identity: TLSIdentity, settings: QUICSettings = QUICSettings(),
                               prepare: (@Sendable (SharedDatagramSocket) -> EventLoopFuture<Void>)? = nil,
                               late: LateCandidates? = nil,
                               on eventLoop: EventLoop) -> EventLoopFuture<HTTP3Client> {
        guard !candidates.isEmpty || late != nil else {
            return eventLoop.makeFailedFuture(HTTP3ConnectError.unreachable(["the ticket has no address"]))
        }
        // One socket per address family present among the candidates; an
        // IPv4 one always when more may come later (the rendezvous needs it).
        var binds: [SocketAddress] = []
        if late != nil || candidates.contains(where: { $0.protocol == .inet }) {
            binds.append(try! SocketAddress(ipAddress: "0.0.0.0", port: 0))
        }
        if candidates.contains(where: { $0.protocol == .inet6 }) { binds.append(try! SocketAddress(ipAddress: "::", port: 0)) }
        // IPv6 addresses may come later too; a machine without IPv6 simply
        // has no such socket.
        let speculativeIPv6 = late != nil && !binds.contains { $0.protocol == .inet6 }
        var bound: [EventLoopFuture<QUICEndpoint?>] = binds.map {
            QUICEndpoint.bind(to: $0, identity: identity, settings: settings, acceptsConnections: false, on: eventLoop)
                .map { Optional($0) }
        }
        if speculativeIPv6 {
            bound.append(QUICEndpoint.bind(to: try! SocketAddress(ipAddress: "::", port: 0), identity: identity,
                                           settings: settings, acceptsConnections: false, on: eventLoop)
                .map { Optional($0) }.recover { _ in nil })
        }
        let promise = eventLoop.makePromise(of: HTTP3Client.self)
        // The rest runs on the loop, where the endpoints live: bind all,
        // prepare all, then race.
        eventLoop.execute {
            collect(bound, on: eventLoop) { result in
                switch result {
                case .failure(let error):
                    promise.fail(error)
                case .success(let endpoints):
                    let prepared = endpoints.map { prepare?($0.shared) ?? eventLoop.makeSucceededVoidFuture() }
                    EventLoopFuture.andAllSucceed(prepared, on: eventLoop).assumeIsolated().whenComplete { outcome in
                        switch outcome {
                        case .failure(let error):
                            for endpoint in endpoints { _ = endpoint.shutdown(applicationError: HTTP3ErrorCode.noError) }
                            promise.fail(error)
                        case .success:
                            let race = ConnectRace(endpoints: endpoints, promise: promise,
                                                   pinnedFingerprint: pinnedFingerprint, late: late)
                            race.start(candidates: candidates)
                        }
                    }
                }
            }
        }
        return promise.futureResult
    }

    /// Waits on the loop for every bound endpoint; the first failure wins
    /// (and the endpoints that did bind are closed).
    private static func collect(_ futures: [EventLoopFuture<QUICEndpoint?>], on eventLoop: EventLoop,
                                _ done: @escaping (Result<[QUICEndpoint], Error>) -> Void) {
        var endpoints: [QUICEndpoint?] = Array(repeating: nil, count: futures.count)
        var remaining = futures.count
        var failure: Error?
        for (index, future) in futures.enumerated() {
            future.assumeIsolated().whenComplete { result in
                switch result {
                case .success(let endpoint): endpoints[index] = endpoint  // nil: an optional socket not made
                case .failure(let error): failure = failure ?? error
                }
                remaining -= 1
                guard remaining == 0 else { return }
                if let failure {
                    for endpoint in endpoints.compactMap({ $0 }) {
                        _ = endpoint.shutdown(applicationError: HTTP3ErrorCode.noError)
                    }
                    done(.failure(failure))
                } else {
                    done(.success(endpoints.compactMap { $0 }))
                }
            }
        }
    }

    /// Sends a GET; the response arrives through the request's callbacks.
    public func get(_ path: String, headers: [(String, String)] = []) throws -> HTTP3Request {
        guard !connection.isClosed else {
            throw HTTP3ConnectError.unreachable(["the connection is closed"])
        }
        return try session.submitRequest(method: "GET", authority: authority, path: path, headers: headers)
    }

    /// Moves the connection to another address of the same host (a direct
    /// path after hole punching); the stream goes on. False if ngtcp2 refused.
    public func migrate(to remote: SocketAddress) -> Bool {
        let port = endpoints[0].localAddress.port ?? 0
        let alias = LocalRoute.sourceAddress(toward: remote, port: port)
            ?? (try? SocketAddress(ipAddress: remote.protocol == .inet6 ? "::2" : "127.0.0.2", port: port))
        guard let alias else { return false }
        return owningEndpoint.migrate(connection, to: remote, localAlias: alias)
    }

    /// Why the last `migrate` was refused.
    public var lastMigrationError: String? { connection.lastMigrationError }

    /// Where our packets go now.
    public var remoteAddress: SocketAddress { connection.remoteAddress }

    /// Closes the connection (H3_NO_ERROR) and the sockets.
    public func close() -> EventLoopFuture<Void> {
        owningEndpoint.close(connection, applicationError: HTTP3ErrorCode.noError)
        let closes = endpoints.map { $0.shutdown(applicationError: HTTP3ErrorCode.noError) }
        return EventLoopFuture.andAllComplete(closes, on: eventLoop)
    }

    /// The endpoint whose socket carries the connection.
    private var owningEndpoint: QUICEndpoint {
        endpoints.first(where: { $0.localAddress.protocol == connection.localAddress.protocol }) ?? endpoints[0]
    }

    /// Holds the race state until one handshake wins or all fail.
    final class ConnectRace {
        let endpoints: [QUICEndpoint]
        let promise: EventLoopPromise<HTTP3Client>
        var pending: [ObjectIdentifier: (connection: QUICConnection, session: HTTP3Session, address: SocketAddress,
                                         endpoint: QUICEndpoint)] = [:]
        var failures: [String] = []
        var mismatch: String?
        var client: HTTP3Client?
        let pinnedFingerprint: [UInt8]
        /// Addresses still to come from a rendezvous; while open, the race
        /// does not give up when every address so far has failed.
        let late: LateCandidates?
        private var dialled: Set<SocketAddress> = []
        private var failed = false

        init(endpoints: [QUICEndpoint], promise: EventLoopPromise<HTTP3Client>, pinnedFingerprint: [UInt8],
             late: LateCandidates?) {
            self.endpoints = endpoints
            self.promise = promise
            self.pinnedFingerprint = pinnedFingerprint
            self.late = late
        }

        func start(candidates: [SocketAddress]) {
            for endpoint in endpoints {
                // The race object lives as long as the endpoints call back into it.
                endpoint.onHandshakeCompleted = { connection in self.handshakeCompleted(connection) }
                endpoint.onClosed = { connection, reason in self.closed(connection, reason) }
            }
            for candidate in candidates { dial(candidate) }
            late?.attach(self)
            failIfOver()
        }

        /// Starts a handshake to one more address (each address once).
        func dial(_ candidate: SocketAddress, again: Bool = false) {
            guard client == nil, !failed, dialled.insert(candidate).inserted || again else { return }
            guard let endpoint = endpoints.first(where: { $0.localAddress.protocol == candidate.protocol }) else { return }
            do {
                let connection = try endpoint.connect(to: candidate, pinnedFingerprint: pinnedFingerprint)
                let session = try HTTP3Session(streams: connection, server: false,
                                               peer: HTTP3Peer(connection: connection, endpoint: endpoint),
                                               maxClientStreams: 0)
                connection.application = session
                pending[ObjectIdentifier(connection)] = (connection, session, candidate, endpoint)
            } catch {
                failures.append("\(describe(candidate)): \(error)")
            }
        }

        /// Nothing pending and nothing more to come: the race is lost.
        func failIfOver() {
            guard client == nil, !failed, pending.isEmpty, !(late?.isOpen ?? false) else { return }
            fail()
        }

        func handshakeCompleted(_ connection: QUICConnection) {
            guard client == nil, let winner = pending.removeValue(forKey: ObjectIdentifier(connection)) else { return }
            // Decide the winner before closing the losers: their close
            // callbacks must not count as failures of the race.
            let losers = Array(pending.values)
            pending.removeAll()
            let client = HTTP3Client(endpoints: endpoints, connection: connection, session: winner.session,
                                     authority: describe(winner.address))
            self.client = client
            late?.detach()
            for loser in losers { loser.endpoint.close(loser.connection, applicationError: HTTP3ErrorCode.noError) }
            promise.assumeIsolated().succeed(client)
        }

        func closed(_ connection: QUICConnection, _ reason: QUICCloseReason) {
            if let client, client.connection === connection {
                let callback = client.onClose
                client.onClose = nil
                callback?(reason)
                return
            }
            guard client == nil, let address = pending.removeValue(forKey: ObjectIdentifier(connection))?.address else { return }
            if reason == .identityMismatch { mismatch = describe(address) }
            failures.append("\(describe(address)): \(reason)")
            failIfOver()
        }

        private func fail() {
            failed = true
            for endpoint in endpoints { _ = endpoint.shutdown(applicationError: HTTP3ErrorCode.noError) }
            if let mismatch {
                promise.fail(HTTP3ConnectError.identityMismatch(address: mismatch))
            } else {
                promise.fail(HTTP3ConnectError.unreachable(failures))
            }
        }

        private func describe(_ address: SocketAddress) -> String {
            let host = address.ipAddress ?? "?"
            return address.protocol == .inet6 ? "[\(host)]:\(address.port ?? 0)" : "\(host):\(address.port ?? 0)"
        }
    }
}

/// Addresses that turn up while a connect race runs (a rendezvous found the
/// host, hole punching opened a path): each is dialled as it comes, and the
/// race does not give up while more may come. Use on the race's event loop
/// only (`@unchecked Sendable`: it is handed to that loop once, at the start).
public final class LateCandidates: @unchecked Sendable {
    private var race: HTTP3Client.ConnectRace?
    private var queued: [SocketAddress] = []
    /// More may come; the race waits for them.
    public private(set) var isOpen = true

    public init() {}

    /// Dials `candidate` now (or as soon as the race starts); `again`
    /// dials it afresh even if it was dialled before (a path that has just
    /// opened: the first attempt's retransmissions may be seconds away).
    public func add(_ candidate: SocketAddress, again: Bool = false) {
        guard isOpen else { return }
        if let race { race.dial(candidate, again: again) } else { queued.append(candidate) }
    }

    /// No more will come: the race ends when what it has dialled has failed.
    public func close() {
        guard isOpen else { return }
        isOpen = false
        race?.failIfOver()
        race = nil
    }

    func attach(_ race: HTTP3Client.ConnectRace) {
        self.race = race
        let waiting = queued
        queued.removeAll()
        for candidate in waiting { race.dial(candidate) }
    }

    func detach() {
        race = nil
        isOpen = false
    }
}
