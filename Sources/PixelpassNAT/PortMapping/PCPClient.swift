/// Asks the default gateway to forward a UDP port to us: PCP MAP first
/// (RFC 6887), NAT-PMP (RFC 6886) when the gateway answers UNSUPP_VERSION or
/// in NAT-PMP's own format. Then refreshes and finally deletes the mapping.
///
/// Pure: the caller sends `.send` datagrams to the gateway's port 5351 from a
/// socket of its own (the internal port is named in the request, so it need
/// not be the mapped socket), arms one timer at the latest `.setTimer`, and
/// feeds back datagrams from the gateway and timer expiries with monotonic
/// nanosecond timestamps.
public struct PCPClient: Sendable {
    public struct Configuration: Hashable, Sendable {
        /// Our address on the gateway's LAN (PCP checks it against the source).
        public var client: NATIP
        public var internalPort: UInt16
        /// The external port to ask for; nil: the internal port.
        public var suggestedExternalPort: UInt16?
        /// Seconds to ask for.
        public var lifetime: UInt32
        public var initialRTO: UInt64
        /// Nanoseconds one exchange (map, refresh or delete) may take in all.
        public var deadline: UInt64

        public init(client: NATIP, internalPort: UInt16, suggestedExternalPort: UInt16? = nil, lifetime: UInt32 = 3600,
                    initialRTO: UInt64 = 250_000_000, deadline: UInt64 = 2_000_000_000) {
            self.client = client
            self.internalPort = internalPort
            self.suggestedExternalPort = suggestedExternalPort
            self.lifetime = lifetime
            self.initialRTO = initialRTO
            self.deadline = deadline
        }
    }

    public enum Action: Hashable, Sendable {
        /// A datagram for the gateway's port 5351.
        case send([UInt8])
        /// Arm (or re-arm) the one timer; call `timerFired` then.
        case setTimer(at: UInt64)
        /// Mapped (or refreshed): schedule `refresh` after `lease.refreshAfterSeconds`.
        case mapped(PortMappingLease)
        /// The mapping is gone; `confirmed` false when the gateway did not answer.
        case released(confirmed: Bool)
        case failed(PortMappingFailure)
        /// Said once when PCP gives way to NAT-PMP (for the logs).
        case fellBackToNATPMP
    }

    private enum Mode: Hashable, Sendable { case pcp, natPMP }

    private enum Phase: Hashable, Sendable {
        case idle
        /// Mapping or refreshing; NAT-PMP needs two answers (address and port).
        case mapping(PortMappingExchange, requests: [[UInt8]], externalIP: NATIP?, mappedPort: UInt16?, mappedLifetime: UInt32?)
        case mapped(PortMappingLease)
        case releasing(PortMappingExchange, request: [UInt8])
        case released
        case failed(PortMappingFailure)
    }

    public let configuration: Configuration
    private let nonce: PCP.Nonce
    private var mode = Mode.pcp
    private var phase = Phase.idle
    private var lease: PortMappingLease?
    private var armedTimer: UInt64?

    public init(configuration: Configuration,
                random: some RandomNumberGenerator = SystemRandomNumberGenerator()) {
        var random = random
        self.configuration = configuration
        self.nonce = PCP.Nonce.random(using: &random)
    }

    /// The mapping in force, if any.
    public var currentLease: PortMappingLease? {
        if case .mapped(let lease) = phase { return lease }
        return nil
    }

    public mutating func start(now: UInt64) -> [Action] {
        guard case .idle = phase else { return [] }
        return beginMapping(suggestedPort: configuration.suggestedExternalPort ?? configuration.internalPort,
                            suggestedIP: nil, now: now)
    }

    /// Asks for the same mapping again (before `lease.lifetime` runs out).
    public mutating func refresh(now: UInt64) -> [Action] {
        guard case .mapped(let lease) = phase else { return [] }
        return beginMapping(suggestedPort: lease.external.port, suggestedIP: lease.external.ip, now: now)
    }

    /// Deletes the mapping (lifetime 0). Whatever is under way stops.
    public mutating func release(now: UInt64) -> [Action] {
        switch phase {
        case .idle, .failed, .released:
            phase = .released
            return [.released(confirmed: true)]
        case .mapping, .mapped, .releasing:
            break
        }
        if case .releasing = phase { return [] }
        let request: [UInt8]
        switch mode {
        case .pcp:
            request = PCP.MapRequest(nonce: nonce, client: configuration.client, internalPort: configuration.internalPort,
                                     suggestedExternal: lease?.external, lifetime: 0).encode()
        case .natPMP:
            request = NATPMP.mapRequest(internalPort: configuration.internalPort, suggestedExternalPort: 0, lifetime: 0)
        }
        phase = .releasing(exchange(now: now), request: request)
        return [.send(request)] + rearm()
    }

    public mutating func received(_ datagram: [UInt8], now: UInt64) -> [Action] {
        switch phase {
        case .idle, .mapped, .released, .failed:
            return []
        case .mapping(let exchange, let requests, let externalIP, let mappedPort, let mappedLifetime):
            switch mode {
            case .pcp:
                return receivedPCP(datagram, now: now)
            case .natPMP:
                return receivedNATPMP(datagram, exchange: exchange, requests: requests, externalIP: externalIP,
                                      mappedPort: mappedPort, mappedLifetime: mappedLifetime)
            }
        case .releasing:
            return receivedDuringRelease(datagram)
        }
    }

    public mutating func timerFired(now: UInt64) -> [Action] {
        armedTimer = nil
        switch phase {
        case .idle, .mapped, .released, .failed:
            return []
        case .mapping(var exchange, let requests, let externalIP, let mappedPort, let mappedLifetime):
            switch exchange.fire(now: now) {
            case .wait:
                return rearm()
            case .resend:
                phase = .mapping(exchange, requests: requests, externalIP: externalIP, mappedPort: mappedPort,
                                 mappedLifetime: mappedLifetime)
                return requests.map { .send($0) } + rearm()
            case .timedOut:
                let failure = PortMappingFailure.noResponse(mode == .pcp ? .pcp : .natPMP, requestsSent: exchange.sends)
                return fail(failure)
            }
        case .releasing(var exchange, let request):
            switch exchange.fire(now: now) {
            case .wait:
                return rearm()
            case .resend:
                phase = .releasing(exchange, request: request)
                return [.send(request)] + rearm()
            case .timedOut:
                phase = .released
                lease = nil
                return [.released(confirmed: false)]
            }
        }
    }

    // MARK: - Mapping

    private func exchange(now: UInt64) -> PortMappingExchange {
        PortMappingExchange(initialRTO: configuration.initialRTO, deadline: configuration.deadline, now: now)
    }

    private mutating func beginMapping(suggestedPort: UInt16, suggestedIP: NATIP?, now: UInt64) -> [Action] {
        let requests: [[UInt8]]
        switch mode {
        case .pcp:
            requests = [PCP.MapRequest(nonce: nonce, client: configuration.client, internalPort: configuration.internalPort,
                                       suggestedExternal: suggestedIP.map { NATAddress(ip: $0, port: suggestedPort) }
                                           ?? NATAddress(ip: configuration.client.isIPv4 ? .v4(0) : .v6(high: 0, low: 0),
                                                         port: suggestedPort),
                                       lifetime: configuration.lifetime).encode()]
        case .natPMP:
            requests = [NATPMP.externalAddressRequest(),
                        NATPMP.mapRequest(internalPort: configuration.internalPort, suggestedExternalPort: suggestedPort,
                                          lifetime: configuration.lifetime)]
        }
        phase = .mapping(exchange(now: now), requests: requests, externalIP: nil, mappedPort: nil, mappedLifetime: nil)
        return requests.map { .send($0) } + rearm()
    }

    private mutating func receivedPCP(_ datagram: [UInt8], now: UInt64) -> [Action] {
        let response: PCP.Response
        do {
            response = try PCP.decode(datagram)
        } catch {
            switch error {
            case .natPMPReply:
                return fallBack(now: now)
            case .truncated, .notAResponse, .unsupportedVersion:
                return []
            }
        }
        switch response {
        case .other(_, _, let result):
            switch result {
            case .unsupportedVersion: return fallBack(now: now)
            case .success: return []
            default: return fail(.pcp(result))
            }
        case .map(let map):
            guard map.nonce == nonce, map.protocolNumber == PCP.udp,
                  map.internalPort == configuration.internalPort else { return [] }
            switch map.result {
            case .success:
                guard !map.external.ip.isUnspecified, map.external.port != 0 else {
                    return fail(.noExternalAddress(.pcp))
                }
                return succeed(PortMappingLease(mappingProtocol: .pcp, external: map.external,
                                                internalPort: configuration.internalPort, lifetime: map.lifetime))
            case .unsupportedVersion:
                return fallBack(now: now)
            default:
                return fail(.pcp(map.result))
            }
        }
    }

    private mutating func fallBack(now: UInt64) -> [Action] {
        guard mode == .pcp else { return [] }
        mode = .natPMP
        let suggested = lease?.external.port ?? configuration.suggestedExternalPort ?? configuration.internalPort
        return [.fellBackToNATPMP] + beginMapping(suggestedPort: suggested, suggestedIP: nil, now: now)
    }

    private mutating func receivedNATPMP(_ datagram: [UInt8], exchange: PortMappingExchange, requests: [[UInt8]],
                                         externalIP: NATIP?, mappedPort: UInt16?, mappedLifetime: UInt32?) -> [Action] {
        guard let response = try? NATPMP.decode(datagram) else { return [] }
        var requests = requests
        var externalIP = externalIP, mappedPort = mappedPort, mappedLifetime = mappedLifetime
        switch response {
        case .externalAddress(let result, _, let address):
            guard result == .success else { return fail(.natPMP(result)) }
            guard !address.isUnspecified else { return fail(.noExternalAddress(.natPMP)) }
            externalIP = address
            requests.removeAll { $0 == NATPMP.externalAddressRequest() }
        case .mapping(let opcode, let result, _, let internalPort, let externalPort, let lifetime):
            guard opcode == .mapUDP, internalPort == configuration.internalPort else { return [] }
            guard result == .success else { return fail(.natPMP(result)) }
            guard externalPort != 0 else { return fail(.invalidResponse(.natPMP, "external port 0")) }
            mappedPort = externalPort
            mappedLifetime = lifetime
            requests.removeAll { $0 != NATPMP.externalAddressRequest() }
        case .error(_, let result, _):
            guard result != .success else { return [] }
            return fail(.natPMP(result))
        }
        if let externalIP, let mappedPort, let mappedLifetime {
            return succeed(PortMappingLease(mappingProtocol: .natPMP, external: NATAddress(ip: externalIP, port: mappedPort),
                                            internalPort: configuration.internalPort, lifetime: mappedLifetime))
        }
        phase = .mapping(exchange, requests: requests, externalIP: externalIP, mappedPort: mappedPort,
                         mappedLifetime: mappedLifetime)
        return []
    }

    private mutating func receivedDuringRelease(_ datagram: [UInt8]) -> [Action] {
        switch mode {
        case .pcp:
            guard let response = try? PCP.decode(datagram) else { return [] }
            switch response {
            case .map(let map):
                guard map.nonce == nonce, map.internalPort == configuration.internalPort else { return [] }
            case .other(_, _, let result):
                guard result != .success else { return [] }
            }
        case .natPMP:
            guard let response = try? NATPMP.decode(datagram) else { return [] }
            switch response {
            case .mapping(let opcode, _, _, let internalPort, _, _):
                guard opcode == .mapUDP, internalPort == configuration.internalPort else { return [] }
            case .error(_, let result, _):
                guard result != .success else { return [] }
            case .externalAddress:
                return []
            }
        }
        // Success or a refusal: either way the gateway has heard us.
        phase = .released
        lease = nil
        return [.released(confirmed: true)]
    }

    private mutating func succeed(_ granted: PortMappingLease) -> [Action] {
        phase = .mapped(granted)
        lease = granted
        return [.mapped(granted)]
    }

    private mutating func fail(_ failure: PortMappingFailure) -> [Action] {
        phase = .failed(failure)
        lease = nil
        return [.failed(failure)]
    }

    /// A `.setTimer` when the due time changed.
    private mutating func rearm() -> [Action] {
        let due: UInt64?
        switch phase {
        case .mapping(let exchange, _, _, _, _): due = exchange.dueAt
        case .releasing(let exchange, _): due = exchange.dueAt
        case .idle, .mapped, .released, .failed: due = nil
        }
        guard let due, due != armedTimer else { return [] }
        armedTimer = due
        return [.setTimer(at: due)]
    }
}
