/// A TURN client for one UDP allocation (RFC 8656), as a pure state machine.
///
/// Allocate → 401 with REALM and NONCE → Allocate with long-term credentials
/// → relayed address. Then it keeps the allocation (Refresh before expiry),
/// the permissions (CreatePermission every ~4 min) and the channels
/// (ChannelBind every ~9 min) alive, frames outgoing payloads as ChannelData
/// once a channel is bound (Send indications until then), and unwraps
/// incoming ChannelData and Data indications. `release` ends the allocation
/// with Refresh LIFETIME=0.
///
/// The caller owns the socket and one timer: it sends `.sendToServer` bytes
/// to the TURN server, feeds back every datagram that comes from the server,
/// re-arms the timer at each `.setTimer`, and passes monotonic nanoseconds.
public struct TURNClient: Sendable {
    public struct Configuration: Hashable, Sendable {
        /// The TURN server: where the caller sends `.sendToServer` datagrams,
        /// and the only source whose datagrams it passes to `received`.
        public var server: NATAddress
        public var credentials: TURNCredentials
        /// LIFETIME asked for in Allocate and Refresh, seconds.
        public var requestedLifetime: UInt32
        public var retransmission: STUNRetransmission
        public var software: String?
        /// Refresh this long before the allocation expires, seconds
        /// (or at half the lifetime, if that is later).
        public var refreshMargin: UInt32
        /// Permissions last 300 s on the server; refresh after this long, seconds.
        public var permissionRefreshInterval: UInt32
        /// Channel bindings last 600 s; refresh after this long, seconds.
        public var channelRefreshInterval: UInt32
        /// How many 438 Stale Nonce answers in a row one request may get.
        public var maxStaleNonceRetries: Int

        public init(server: NATAddress, credentials: TURNCredentials, requestedLifetime: UInt32 = 600,
                    retransmission: STUNRetransmission = .rfc8489, software: String? = nil,
                    refreshMargin: UInt32 = 60, permissionRefreshInterval: UInt32 = 240,
                    channelRefreshInterval: UInt32 = 540, maxStaleNonceRetries: Int = 3) {
            self.server = server
            self.credentials = credentials
            self.requestedLifetime = requestedLifetime
            self.retransmission = retransmission
            self.software = software
            self.refreshMargin = refreshMargin
            self.permissionRefreshInterval = permissionRefreshInterval
            self.channelRefreshInterval = channelRefreshInterval
            self.maxStaleNonceRetries = maxStaleNonceRetries
        }
    }

    public enum Action: Hashable, Sendable {
        /// Send this datagram to the TURN server.
        case sendToServer([UInt8])
        /// Arm (or re-arm) the one timer; call `timerFired` then.
        case setTimer(at: UInt64)
        /// The relay is ready. `mapped` is our address as the server saw it
        /// (a server-reflexive candidate for free). Lifetime in seconds.
        case allocated(relayed: NATAddress, mapped: NATAddress?, lifetime: UInt32)
        /// A payload a peer sent to our relayed address.
        case deliver([UInt8], from: NATAddress)
        /// CreatePermission or ChannelBind for this peer failed; the
        /// allocation itself is fine. Traffic with the peer will be dropped.
        case permissionFailed(NATIP, TURNFailure)
        /// The allocation failed or was lost; the machine is done.
        case failed(TURNFailure)
        /// `release` finished (or there was nothing to release).
        case released
    }

    public enum Phase: Hashable, Sendable {
        case idle
        case allocating
        case allocated(relayed: NATAddress, mapped: NATAddress?)
        case releasing
        case released
        case failed(TURNFailure)
    }

    private enum Purpose: Hashable {
        case allocate
        case refresh(lifetime: UInt32)
        case createPermission(NATIP)
        case channelBind(UInt16, peer: NATAddress)

        var name: String {
            switch self {
            case .allocate: return "Allocate"
            case .refresh(let lifetime): return lifetime == 0 ? "Refresh (release)" : "Refresh"
            case .createPermission: return "CreatePermission"
            case .channelBind: return "ChannelBind"
            }
        }
    }

    private struct Transaction {
        let purpose: Purpose
        let request: [UInt8]
        let authenticated: Bool
        var timer: RetransmissionTimer
        var staleNonceRetries: Int
    }

    private struct Authentication: Hashable {
        var realm: String
        var nonce: String
        var key: STUNKey
    }

    private struct Permission {
        var installed = false
        var requestInFlight = false
        var refreshAt: UInt64?
    }

    private struct Channel {
        let number: UInt16
        var bound = false
        var requestInFlight = false
        var refreshAt: UInt64?
    }

    public let configuration: Configuration
    public private(set) var phase: Phase = .idle
    private var authentication: Authentication?
    private var transactions: [STUNTransactionID: Transaction] = [:]
    private var refreshAt: UInt64?
    private var permissions: [NATIP: Permission] = [:]
    private var channels: [NATAddress: Channel] = [:]
    private var channelPeers: [UInt16: NATAddress] = [:]
    private var nextChannel: UInt16 = TURNChannelData.channelRange.lowerBound
    private var armedTimer: UInt64?
    private var random: any RandomNumberGenerator & Sendable

    private static let second: UInt64 = 1_000_000_000

    /// - Parameter random: source of transaction ids (a seeded one makes tests repeatable).
    public init(configuration: Configuration,
                random: some RandomNumberGenerator & Sendable = SystemRandomNumberGenerator()) {
        self.configuration = configuration
        self.random = random
    }

    /// Peers whose permission the server has confirmed.
    public var permittedPeers: Set<NATIP> {
        Set(permissions.filter { $0.value.installed }.keys)
    }

    /// Peers with a confirmed channel, and its number.
    public var boundChannels: [NATAddress: UInt16] {
        channels.filter { $0.value.bound }.mapValues(\.number)
    }

    // MARK: Events

    public mutating func start(now: UInt64) -> [Action] {
        guard case .idle = phase else { return [] }
        phase = .allocating
        return [.sendToServer(send(.allocate, now: now))] + rearm()
    }

    /// Allow `peer` to send to our relayed address (the port is irrelevant
    /// to the server). Before the allocation exists it is remembered and
    /// requested right after.
    public mutating func permit(_ peer: NATIP, now: UInt64) -> [Action] {
        switch phase {
        case .idle, .allocating, .allocated: break
        case .releasing, .released, .failed: return []
        }
        guard permissions[peer] == nil else { return [] }
        permissions[peer] = Permission()
        guard case .allocated = phase else { return [] }
        permissions[peer]?.requestInFlight = true
        return [.sendToServer(send(.createPermission(peer), now: now))] + rearm()
    }

    /// Relay `payload` to `peer`: ChannelData once a channel is bound, a Send
    /// indication before that (with a ChannelBind, which also installs the
    /// permission, sent just ahead of it). Dropped (no actions) unless allocated.
    public mutating func send(_ payload: [UInt8], to peer: NATAddress, now: UInt64) -> [Action] {
        guard case .allocated = phase else { return [] }
        if let channel = channels[peer], channel.bound {
            return [.sendToServer(TURNChannelData(channel: channel.number, payload: payload).encode())]
        }
        var actions: [Action] = []
        if channels[peer] == nil, TURNChannelData.channelRange.contains(nextChannel) {
            let number = nextChannel
            nextChannel += 1
            channels[peer] = Channel(number: number, requestInFlight: true)
            channelPeers[number] = peer
            if permissions[peer.ip] == nil { permissions[peer.ip] = Permission() }
            actions.append(.sendToServer(send(.channelBind(number, peer: peer), now: now)))
        } else if channels[peer] == nil, permissions[peer.ip] == nil {
            // Out of channel numbers: indications only, which still need a permission.
            permissions[peer.ip] = Permission(requestInFlight: true)
            actions.append(.sendToServer(send(.createPermission(peer.ip), now: now)))
        }
        var attributes: [STUNAttribute] = [.xorPeerAddress(peer), .data(payload)]
        if let software = configuration.software { attributes.insert(.software(software), at: 0) }
        let indication = STUNMessage(method: .send, messageClass: .indication,
                                     transactionID: STUNTransactionID.random(using: &random), attributes: attributes)
        actions.append(.sendToServer(indication.encode(fingerprint: true)))
        return actions + rearm()
    }

    /// End the allocation: Refresh with LIFETIME 0, then `.released`.
    public mutating func release(now: UInt64) -> [Action] {
        switch phase {
        case .idle, .allocating:
            clearAll()
            phase = .released
            return [.released]
        case .allocated:
            clearAll()
            phase = .releasing
            return [.sendToServer(send(.refresh(lifetime: 0), now: now))] + rearm()
        case .releasing, .released, .failed:
            return []
        }
    }

    /// Every datagram that comes from the TURN server.
    public mutating func received(_ datagram: [UInt8], now: UInt64) -> [Action] {
        if TURNChannelData.isProbablyChannelData(datagram) {
            guard let frame = try? TURNChannelData.decode(datagram), let peer = channelPeers[frame.channel] else { return [] }
            return [.deliver(frame.payload, from: peer)]
        }
        guard STUNMessage.isProbablySTUN(datagram) else { return [] }
        let decoded: DecodedSTUNMessage
        do {
            decoded = try STUNMessage.decode(datagram)
        } catch let error {
            switch error {
            case .unknownComprehensionRequired(_, let transactionID):
                // RFC 8489 §6.3: such a response fails its transaction.
                guard let transaction = transactions.removeValue(forKey: transactionID) else { return [] }
                return fail(transaction.purpose, .invalidResponse(error.description), now: now) + rearm()
            case .truncated, .notSTUN, .badLength, .attributeOverrun, .invalidAttribute:
                return []
            }
        }
        guard decoded.fingerprint != .invalid else { return [] }
        let message = decoded.message
        switch message.messageClass {
        case .indication:
            guard message.method == .data, let peer = message.xorPeerAddress, let data = message.data else { return [] }
            switch phase {
            case .allocated: return [.deliver(data, from: peer)]
            case .idle, .allocating, .releasing, .released, .failed: return []
            }
        case .request:
            return []
        case .successResponse, .errorResponse:
            guard let transaction = transactions[message.transactionID] else { return [] }
            if transaction.authenticated, decoded.hasIntegrity, let key = authentication?.key,
               !decoded.hasValidIntegrity(key: key) {
                return []  // forged or corrupted; the real answer may still come
            }
            transactions[message.transactionID] = nil
            if message.messageClass == .successResponse {
                return succeed(transaction.purpose, message, now: now) + rearm()
            }
            return handleError(transaction, message, now: now) + rearm()
        }
    }

    public mutating func timerFired(now: UInt64) -> [Action] {
        armedTimer = nil
        var actions: [Action] = []
        for (id, var transaction) in transactions.sorted(by: { $0.value.timer.nextAt < $1.value.timer.nextAt }) {
            guard transactions[id] != nil else { continue }  // ended by an earlier failure in this loop
            switch transaction.timer.fire(now: now) {
            case .wait:
                break
            case .resend:
                transactions[id] = transaction
                actions.append(.sendToServer(transaction.request))
            case .timedOut:
                transactions[id] = nil
                let failure = TURNFailure.noResponse(request: transaction.purpose.name,
                                                     requestsSent: transaction.timer.sends)
                actions += fail(transaction.purpose, failure, now: now)
            }
        }
        guard case .allocated = phase else { return actions + rearm() }
        if let due = refreshAt, now >= due {
            refreshAt = nil
            actions.append(.sendToServer(send(.refresh(lifetime: configuration.requestedLifetime), now: now)))
        }
        for (ip, permission) in permissions.sorted(by: { $0.key.description < $1.key.description }) {
            guard let due = permission.refreshAt, now >= due, !permission.requestInFlight else { continue }
            permissions[ip]?.refreshAt = nil
            permissions[ip]?.requestInFlight = true
            actions.append(.sendToServer(send(.createPermission(ip), now: now)))
        }
        for (peer, channel) in channels.sorted(by: { $0.value.number < $1.value.number }) {
            guard let due = channel.refreshAt, now >= due, !channel.requestInFlight else { continue }
            channels[peer]?.refreshAt = nil
            channels[peer]?.requestInFlight = true
            actions.append(.sendToServer(send(.channelBind(channel.number, peer: peer), now: now)))
        }
        return actions + rearm()
    }

    // MARK: Responses

    private mutating func succeed(_ purpose: Purpose, _ message: STUNMessage, now: UInt64) -> [Action] {
        switch purpose {
        case .allocate:
            guard case .allocating = phase else { return [] }
            guard let relayed = message.xorRelayedAddress else {
                return fatal(.invalidResponse("Allocate success without XOR-RELAYED-ADDRESS"))
            }
            let lifetime = message.lifetime ?? configuration.requestedLifetime
            let mapped = message.xorMappedAddress
            phase = .allocated(relayed: relayed, mapped: mapped)
            refreshAt = now + refreshDelay(lifetime: lifetime)
            var actions: [Action] = [.allocated(relayed: relayed, mapped: mapped, lifetime: lifetime)]
            for (ip, permission) in permissions.sorted(by: { $0.key.description < $1.key.description })
            where !permission.installed && !permission.requestInFlight {
                permissions[ip]?.requestInFlight = true
                actions.append(.sendToServer(send(.createPermission(ip), now: now)))
            }
            return actions
        case .refresh(let requested):
            if requested == 0 {
                phase = .released
                return [.released]
            }
            let lifetime = message.lifetime ?? requested
            refreshAt = now + refreshDelay(lifetime: lifetime)
            return []
        case .createPermission(let ip):
            guard permissions[ip] != nil else { return [] }
            permissions[ip]?.installed = true
            permissions[ip]?.requestInFlight = false
            let refreshAt = permissionRefreshAt(now)
            permissions[ip]?.refreshAt = refreshAt
            return []
        case .channelBind(let number, let peer):
            guard channels[peer]?.number == number else { return [] }
            channels[peer]?.bound = true
            channels[peer]?.requestInFlight = false
            let channelRefreshAt = now + UInt64(configuration.channelRefreshInterval) * TURNClient.second
            channels[peer]?.refreshAt = channelRefreshAt
            // A ChannelBind installs or refreshes the peer's permission too.
            if permissions[peer.ip] == nil { permissions[peer.ip] = Permission() }
            permissions[peer.ip]?.installed = true
            if !(permissions[peer.ip]?.requestInFlight ?? false) {
                let permissionRefreshAt = permissionRefreshAt(now)
                permissions[peer.ip]?.refreshAt = permissionRefreshAt
            }
            return []
        }
    }

    private mutating func handleError(_ transaction: Transaction, _ message: STUNMessage, now: UInt64) -> [Action] {
        let error = message.errorCode ?? STUNErrorCode(code: 0, reason: "error response without ERROR-CODE")
        let purpose = transaction.purpose
        switch error.code {
        case STUNErrorCode.unauthorized where !transaction.authenticated:
            guard let realm = message.realm, let nonce = message.nonce else {
                return fail(purpose, .invalidResponse("401 without REALM and NONCE"), now: now)
            }
            authentication = Authentication(realm: realm, nonce: nonce,
                                            key: configuration.credentials.key(realm: realm))
            return [.sendToServer(send(purpose, now: now))]
        case STUNErrorCode.unauthorized:
            let realm = authentication?.realm ?? message.realm ?? ""
            return fatal(.wrongCredentials(username: configuration.credentials.username, realm: realm,
                                           reason: error.reason.isEmpty ? "Unauthorized" : error.reason))
        case STUNErrorCode.staleNonce:
            guard let nonce = message.nonce, transaction.staleNonceRetries < configuration.maxStaleNonceRetries else {
                return fail(purpose, .staleNonceLoop, now: now)
            }
            if let realm = message.realm, realm != authentication?.realm {
                authentication = Authentication(realm: realm, nonce: nonce,
                                                key: configuration.credentials.key(realm: realm))
            } else {
                authentication?.nonce = nonce
            }
            return [.sendToServer(send(purpose, now: now, staleNonceRetries: transaction.staleNonceRetries + 1))]
        case STUNErrorCode.forbidden:
            return fail(purpose, .forbidden(reason: error.reason), now: now)
        case STUNErrorCode.allocationMismatch:
            switch purpose {
            case .allocate: return fail(purpose, .allocationMismatch(reason: error.reason), now: now)
            case .refresh, .createPermission, .channelBind:
                return fail(purpose, .allocationLost(reason: error.reason), now: now)
            }
        case STUNErrorCode.allocationQuotaReached:
            return fail(purpose, .allocationQuotaReached(reason: error.reason), now: now)
        case STUNErrorCode.insufficientCapacity:
            return fail(purpose, .insufficientCapacity(reason: error.reason), now: now)
        case STUNErrorCode.unsupportedTransportProtocol:
            return fail(purpose, .unsupportedTransport(reason: error.reason), now: now)
        default:
            return fail(purpose, .serverError(error), now: now)
        }
    }

    /// A request ended badly: fatal for the allocation's own requests,
    /// per-peer for permissions and channels.
    private mutating func fail(_ purpose: Purpose, _ failure: TURNFailure, now: UInt64) -> [Action] {
        switch purpose {
        case .allocate:
            return fatal(failure)
        case .refresh(let lifetime):
            if lifetime == 0 {
                // Releasing: whatever went wrong, the allocation is no longer ours to keep.
                phase = .released
                return [.released]
            }
            return fatal(failure)
        case .createPermission(let ip):
            guard permissions.removeValue(forKey: ip) != nil else { return [] }
            return [.permissionFailed(ip, failure)]
        case .channelBind(let number, let peer):
            if channels[peer]?.number == number {
                channels[peer] = nil
                channelPeers[number] = nil  // numbers are not reused: the server may still hold it
            }
            if let permission = permissions[peer.ip], !permission.installed, !permission.requestInFlight {
                permissions[peer.ip] = nil
            }
            return [.permissionFailed(peer.ip, failure)]
        }
    }

    private mutating func fatal(_ failure: TURNFailure) -> [Action] {
        clearAll()
        phase = .failed(failure)
        return [.failed(failure)]
    }

    private mutating func clearAll() {
        transactions = [:]
        refreshAt = nil
        permissions = [:]
        channels = [:]
        channelPeers = [:]
    }

    // MARK: Requests

    /// Builds, records and returns a request for `purpose`, with credentials
    /// once the server has named its realm and nonce.
    private mutating func send(_ purpose: Purpose, now: UInt64, staleNonceRetries: Int = 0) -> [UInt8] {
        var attributes: [STUNAttribute] = []
        let method: STUNMethod
        switch purpose {
        case .allocate:
            method = .allocate
            attributes = [.requestedTransport(STUNAttribute.udpTransport), .lifetime(configuration.requestedLifetime)]
        case .refresh(let lifetime):
            method = .refresh
            attributes = [.lifetime(lifetime)]
        case .createPermission(let ip):
            method = .createPermission
            attributes = [.xorPeerAddress(NATAddress(ip: ip, port: 0))]
        case .channelBind(let number, let peer):
            method = .channelBind
            attributes = [.channelNumber(number), .xorPeerAddress(peer)]
        }
        if let software = configuration.software { attributes.append(.software(software)) }
        let transactionID = STUNTransactionID.random(using: &random)
        var request = STUNMessage(method: method, messageClass: .request, transactionID: transactionID,
                                  attributes: attributes)
        let bytes: [UInt8]
        if let authentication {
            request.attributes += [.username(configuration.credentials.username),
                                   .realm(authentication.realm), .nonce(authentication.nonce)]
            bytes = request.encode(integrity: authentication.key, fingerprint: true)
        } else {
            bytes = request.encode(fingerprint: true)
        }
        transactions[transactionID] = Transaction(
            purpose: purpose, request: bytes, authenticated: authentication != nil,
            timer: RetransmissionTimer(policy: configuration.retransmission, now: now),
            staleNonceRetries: staleNonceRetries)
        return bytes
    }

    private func permissionRefreshAt(_ now: UInt64) -> UInt64 {
        now + UInt64(configuration.permissionRefreshInterval) * TURNClient.second
    }

    private func refreshDelay(lifetime: UInt32) -> UInt64 {
        let seconds = max(UInt64(lifetime) / 2, UInt64(lifetime) - min(UInt64(lifetime), UInt64(configuration.refreshMargin)))
        return seconds * TURNClient.second
    }

    /// A `.setTimer` when the earliest due time changed.
    private mutating func rearm() -> [Action] {
        var next = UInt64.max
        for transaction in transactions.values { next = min(next, transaction.timer.nextAt) }
        if let refreshAt { next = min(next, refreshAt) }
        for permission in permissions.values {
            if let due = permission.refreshAt { next = min(next, due) }
        }
        for channel in channels.values {
            if let due = channel.refreshAt { next = min(next, due) }
        }
        guard next != .max, next != armedTimer else { return [] }
        armedTimer = next
        return [.setTimer(at: next)]
    }
}
