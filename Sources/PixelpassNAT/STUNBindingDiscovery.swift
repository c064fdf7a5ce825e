/// Finds this socket's server-reflexive address by sending Binding requests
/// to several STUN servers at once (RFC 8489 §6.2.1 retransmissions), each
/// server answering or failing on its own, all within an optional overall
/// deadline (pixelpass prints its ticket after about a second, found or not).
///
/// Pure: the caller sends `.send` datagrams from the socket QUIC uses, arms
/// one timer at the latest `.setTimer`, and feeds back datagrams and timer
/// expiries with monotonic nanosecond timestamps.
public struct STUNBindingDiscovery: Sendable {
    public struct Configuration: Hashable, Sendable {
        public var retransmission: STUNRetransmission
        /// Nanoseconds after `start` at which servers still silent are given
        /// up on; nil waits for the full RFC schedule (39.5 s by default).
        public var deadline: UInt64?
        /// SOFTWARE attribute for requests, if any.
        public var software: String?
        /// Whether requests carry FINGERPRINT (helps a server sharing the
        /// port with other protocols tell STUN apart).
        public var fingerprint: Bool

        public init(retransmission: STUNRetransmission = .rfc8489, deadline: UInt64? = nil,
                    software: String? = nil, fingerprint: Bool = true) {
            self.retransmission = retransmission
            self.deadline = deadline
            self.software = software
            self.fingerprint = fingerprint
        }
    }

    public enum Action: Hashable, Sendable {
        case send([UInt8], to: NATAddress)
        /// Arm (or re-arm) the one timer; call `timerFired` then.
        case setTimer(at: UInt64)
        /// `server` saw us at this address.
        case discovered(NATAddress, server: NATAddress)
        case failed(server: NATAddress, reason: Failure)
    }

    public enum Failure: Error, Hashable, Sendable, CustomStringConvertible {
        /// The RFC schedule ran out without an answer.
        case noResponse(requestsSent: Int)
        /// The caller's overall deadline came first.
        case deadlineReached(requestsSent: Int)
        /// The server answered with an error response.
        case errorResponse(STUNErrorCode)
        /// The server answered with something we cannot use.
        case invalidResponse(String)

        public var description: String {
            switch self {
            case .noResponse(let sent):
                return "no answer to \(sent) Binding requests; the server may be down or UDP blocked"
            case .deadlineReached(let sent):
                return "no answer in time (\(sent) Binding request\(sent == 1 ? "" : "s") sent)"
            case .errorResponse(let error):
                return "server refused the Binding request: \(error)"
            case .invalidResponse(let reason):
                return "unusable Binding response: \(reason)"
            }
        }
    }

    private enum ServerState {
        case idle
        case waiting(STUNTransactionID, request: [UInt8], timer: RetransmissionTimer)
        case finished(Result<NATAddress, Failure>)
    }

    public let servers: [NATAddress]
    public let configuration: Configuration
    private var states: [ServerState]
    private var deadlineAt: UInt64?
    private var armedTimer: UInt64?
    private var random: any RandomNumberGenerator & Sendable
    private var started = false

    /// - Parameter servers: STUN servers by address (duplicates are dropped).
    public init(servers: [NATAddress], configuration: Configuration = Configuration(),
                random: some RandomNumberGenerator & Sendable = SystemRandomNumberGenerator()) {
        var unique: [NATAddress] = []
        for server in servers where !unique.contains(server) { unique.append(server) }
        self.servers = unique
        self.configuration = configuration
        self.states = Array(repeating: .idle, count: unique.count)
        self.random = random
    }

    /// Per server: the reflexive address, the failure, or nil while waiting.
    public var results: [NATAddress: Result<NATAddress, Failure>] {
        var results: [NATAddress: Result<NATAddress, Failure>] = [:]
        for (server, state) in zip(servers, states) {
            switch state {
            case .finished(let result): results[server] = result
            case .idle, .waiting: break
            }
        }
        return results
    }

    /// Every server has answered or failed.
    public var isFinished: Bool {
        states.allSatisfy {
            switch $0 {
            case .finished: return true
            case .idle, .waiting: return false
            }
        }
    }

    public mutating func start(now: UInt64) -> [Action] {
        guard !started else { return [] }
        started = true
        var actions: [Action] = []
        deadlineAt = configuration.deadline.map { now + $0 }
        for index in states.indices {
            guard case .idle = states[index] else { continue }
            let transactionID = STUNTransactionID.random(using: &random)
            var attributes: [STUNAttribute] = []
            if let software = configuration.software { attributes.append(.software(software)) }
            let request = STUNMessage(method: .binding, messageClass: .request, transactionID: transactionID,
                                      attributes: attributes).encode(fingerprint: configuration.fingerprint)
            states[index] = .waiting(transactionID, request: request,
                                     timer: RetransmissionTimer(policy: configuration.retransmission, now: now))
            actions.append(.send(request, to: servers[index]))
        }
        if servers.isEmpty { return actions }
        return actions + rearm()
    }

    /// A datagram that may answer one of our requests; anything else
    /// (QUIC, other STUN traffic) gives no actions. Answers are matched by
    /// transaction id (96 random bits), not by `source`.
    public mutating func received(_ datagram: [UInt8], from source: NATAddress, now: UInt64) -> [Action] {
        guard STUNMessage.isProbablySTUN(datagram) else { return [] }
        let decoded: DecodedSTUNMessage
        do {
            decoded = try STUNMessage.decode(datagram)
        } catch let error {
            switch error {
            case .unknownComprehensionRequired(_, let transactionID):
                // RFC 8489 §6.3.4: the transaction fails.
                return finish(transactionID, with: .failure(.invalidResponse(error.description)))
            case .truncated, .notSTUN, .badLength, .attributeOverrun, .invalidAttribute:
                return []
            }
        }
        let message = decoded.message
        guard message.method == .binding, decoded.fingerprint != .invalid else { return [] }
        switch message.messageClass {
        case .successResponse:
            guard let mapped = message.xorMappedAddress ?? message.mappedAddress else {
                return finish(message.transactionID, with: .failure(.invalidResponse("no XOR-MAPPED-ADDRESS")))
            }
            return finish(message.transactionID, with: .success(mapped))
        case .errorResponse:
            let error = message.errorCode ?? STUNErrorCode(code: 0, reason: "error response without ERROR-CODE")
            return finish(message.transactionID, with: .failure(.errorResponse(error)))
        case .request, .indication:
            return []
        }
    }

    public mutating func timerFired(now: UInt64) -> [Action] {
        armedTimer = nil
        var actions: [Action] = []
        for index in states.indices {
            guard case .waiting(let transactionID, let request, var timer) = states[index] else { continue }
            if let deadlineAt, now >= deadlineAt {
                states[index] = .finished(.failure(.deadlineReached(requestsSent: timer.sends)))
                actions.append(.failed(server: servers[index], reason: .deadlineReached(requestsSent: timer.sends)))
                continue
            }
            switch timer.fire(now: now) {
            case .wait:
                break
            case .resend:
                states[index] = .waiting(transactionID, request: request, timer: timer)
                actions.append(.send(request, to: servers[index]))
            case .timedOut:
                states[index] = .finished(.failure(.noResponse(requestsSent: timer.sends)))
                actions.append(.failed(server: servers[index], reason: .noResponse(requestsSent: timer.sends)))
            }
        }
        return actions + rearm()
    }

    private mutating func finish(_ transactionID: STUNTransactionID, with result: Result<NATAddress, Failure>) -> [Action] {
        for index in states.indices {
            guard case .waiting(let pending, _, _) = states[index], pending == transactionID else { continue }
            states[index] = .finished(result)
            let action: Action
            switch result {
            case .success(let address): action = .discovered(address, server: servers[index])
            case .failure(let reason): action = .failed(server: servers[index], reason: reason)
            }
            return [action] + rearm()
        }
        return []
    }

    /// A `.setTimer` when the earliest due time changed.
    private mutating func rearm() -> [Action] {
        var next: UInt64?
        for state in states {
            guard case .waiting(_, _, let timer) = state else { continue }
            let due = min(timer.nextAt, deadlineAt ?? .max)
            next = min(next ?? .max, due)
        }
        guard let next, next != armedTimer else { return [] }
        armedTimer = next
        return [.setTimer(at: next)]
    }
}
