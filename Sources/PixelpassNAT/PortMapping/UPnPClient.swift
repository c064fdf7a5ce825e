/// Asks an Internet Gateway Device to forward a UDP port to us: SSDP search,
/// the device description, GetExternalIPAddress, AddPortMapping (another
/// external port on 718 ConflictInMappingEntry, a permanent lease on 725
/// OnlyPermanentLeasesSupported); later refreshes and DeletePortMapping.
///
/// Pure: the caller multicasts `.search` datagrams to 239.255.255.250:1900
/// from a UDP socket of its own and feeds back what arrives on it; performs
/// each `.http` request on a new TCP connection and feeds back everything the
/// gateway sent until it closed (or that it failed); arms one timer at the
/// latest `.setTimer`. Times are monotonic nanoseconds.
public struct UPnPClient: Sendable {
    public struct Configuration: Hashable, Sendable {
        /// Our address on the gateway's LAN (NewInternalClient).
        public var client: NATIP
        public var internalPort: UInt16
        /// The external port to ask for first; nil: the internal port.
        public var suggestedExternalPort: UInt16?
        /// Seconds (NewLeaseDuration).
        public var leaseDuration: UInt32
        /// NewPortMappingDescription, shown in router UIs.
        public var mappingDescription: String
        public var initialRTO: UInt64
        /// Nanoseconds one operation (map, refresh or delete) may take in all.
        public var deadline: UInt64
        /// How many external ports to try when they are taken (718).
        public var maxPortAttempts: Int
        /// Only gateways that answer from this address count (our default
        /// gateway), when given.
        public var gateway: NATIP?

        public init(client: NATIP, internalPort: UInt16, suggestedExternalPort: UInt16? = nil,
                    leaseDuration: UInt32 = 3600, mappingDescription: String = "pixelpass",
                    initialRTO: UInt64 = 250_000_000, deadline: UInt64 = 2_000_000_000, maxPortAttempts: Int = 4,
                    gateway: NATIP? = nil) {
            self.client = client
            self.internalPort = internalPort
            self.suggestedExternalPort = suggestedExternalPort
            self.leaseDuration = leaseDuration
            self.mappingDescription = mappingDescription
            self.initialRTO = initialRTO
            self.deadline = deadline
            self.maxPortAttempts = maxPortAttempts
            self.gateway = gateway
        }
    }

    public enum Action: Hashable, Sendable {
        /// Multicast these M-SEARCH datagrams to `SSDP.multicastAddress`.
        case search([[UInt8]])
        /// Perform this request; answer with `httpResponse(id:…)` or `httpFailed(id:…)`.
        case http(id: Int, HTTPRequest)
        case setTimer(at: UInt64)
        /// The gateway and the service in use (for the logs).
        case found(location: HTTPURL, serviceType: String, friendlyName: String?)
        /// The gateway refused a port and we try another (for the logs).
        case retrying(UPnPError)
        case mapped(PortMappingLease)
        case released(confirmed: Bool)
        case failed(PortMappingFailure)
    }

    private enum Step: Hashable, Sendable {
        case describe(HTTPURL)
        case externalAddress
        case add(externalPort: UInt16, lease: UInt32, attempt: Int)
        case delete
    }

    private enum Phase: Hashable, Sendable {
        case idle
        case searching(PortMappingExchange)
        case waiting(Step, id: Int, deadlineAt: UInt64)
        case mapped(PortMappingLease)
        case released
        case failed(PortMappingFailure)
    }

    public let configuration: Configuration
    private var phase = Phase.idle
    private var service: UPnPDeviceDescription.Service?
    private var externalIP: NATIP?
    private var lease: PortMappingLease?
    private var nextID = 0
    private var armedTimer: UInt64?
    private var random: any RandomNumberGenerator & Sendable

    public init(configuration: Configuration,
                random: some RandomNumberGenerator & Sendable = SystemRandomNumberGenerator()) {
        self.configuration = configuration
        self.random = random
    }

    public var currentLease: PortMappingLease? {
        if case .mapped(let lease) = phase { return lease }
        return nil
    }

    private var searches: [[UInt8]] { SSDP.searchTargets.map { SSDP.searchRequest(target: $0) } }

    public mutating func start(now: UInt64) -> [Action] {
        guard case .idle = phase else { return [] }
        phase = .searching(PortMappingExchange(initialRTO: configuration.initialRTO, deadline: configuration.deadline, now: now))
        return [.search(searches)] + rearm()
    }

    /// AddPortMapping again for the same external port (extends the lease).
    public mutating func refresh(now: UInt64) -> [Action] {
        guard case .mapped(let current) = phase else { return [] }
        return send(.add(externalPort: current.external.port, lease: current.lifetime, attempt: 1),
                    deadlineAt: now + configuration.deadline)
    }

    /// DeletePortMapping; whatever is under way stops.
    public mutating func release(now: UInt64) -> [Action] {
        switch phase {
        case .mapped, .waiting:
            guard service != nil, let lease else { break }
            if case .waiting(.delete, _, _) = phase { return [] }
            _ = lease
            return send(.delete, deadlineAt: now + configuration.deadline)
        case .idle, .searching, .released, .failed:
            break
        }
        phase = .released
        return [.released(confirmed: true)]
    }

    /// A datagram on the SSDP socket from `source`.
    public mutating func receivedSSDP(_ datagram: [UInt8], from source: NATIP, now: UInt64) -> [Action] {
        guard case .searching(let exchange) = phase else { return [] }
        if let gateway = configuration.gateway, gateway != source { return [] }
        guard let answer = try? SSDP.parseResponse(datagram) else { return [] }
        return send(.describe(answer.location), deadlineAt: exchange.deadlineAt)
    }

    public mutating func httpFailed(id: Int, reason: String, now: UInt64) -> [Action] {
        guard case .waiting(let step, let pending, _) = phase, pending == id else { return [] }
        switch step {
        case .delete:
            return finishRelease(confirmed: false)
        case .describe, .externalAddress, .add:
            return fail(.http(reason))
        }
    }

    /// Everything the gateway sent on the connection for request `id`.
    public mutating func httpResponse(id: Int, bytes: [UInt8], now: UInt64) -> [Action] {
        guard case .waiting(let step, let pending, let deadlineAt) = phase, pending == id else { return [] }
        let response: HTTPResponse
        do {
            response = try HTTPResponse.parse(bytes)
        } catch {
            if case .delete = step { return finishRelease(confirmed: false) }
            return fail(.http("\(error)"))
        }
        switch step {
        case .describe(let location):
            guard (200..<300).contains(response.status) else {
                return fail(.http("the device description at \(location) answered HTTP \(response.status)"))
            }
            let description: UPnPDeviceDescription
            do {
                description = try UPnPDeviceDescription.parse(String(decoding: response.body, as: UTF8.self), location: location)
            } catch {
                return fail(.invalidResponse(.upnp, "\(error)"))
            }
            service = description.services[0]
            return [.found(location: location, serviceType: description.services[0].serviceType,
                           friendlyName: description.friendlyName)]
                + send(.externalAddress, deadlineAt: deadlineAt)
        case .externalAddress:
            let arguments: [String: String]
            do {
                arguments = try UPnPSOAP.parseResponse(response, action: "GetExternalIPAddress")
            } catch {
                return fail(failure(error))
            }
            guard let text = arguments["NewExternalIPAddress"], let ip = NATIP(text), !ip.isUnspecified else {
                return fail(.noExternalAddress(.upnp))
            }
            externalIP = ip
            let port = configuration.suggestedExternalPort ?? configuration.internalPort
            return send(.add(externalPort: port, lease: configuration.leaseDuration, attempt: 1), deadlineAt: deadlineAt)
        case .add(let port, let leaseSeconds, let attempt):
            do {
                _ = try UPnPSOAP.parseResponse(response, action: "AddPortMapping")
            } catch {
                if case .fault(let upnp) = error {
                    if upnp.code == UPnPError.onlyPermanentLeasesSupported, leaseSeconds != 0 {
                        return [.retrying(upnp)] + send(.add(externalPort: port, lease: 0, attempt: attempt), deadlineAt: deadlineAt)
                    }
                    if upnp.code == UPnPError.conflictInMappingEntry, attempt < configuration.maxPortAttempts, lease == nil {
                        let next = UInt16.random(in: 20000...60000, using: &random)
                        return [.retrying(upnp)]
                            + send(.add(externalPort: next, lease: leaseSeconds, attempt: attempt + 1), deadlineAt: deadlineAt)
                    }
                }
                return fail(failure(error))
            }
            guard let externalIP else { return fail(.noExternalAddress(.upnp)) }
            let granted = PortMappingLease(mappingProtocol: .upnp, external: NATAddress(ip: externalIP, port: port),
                                           internalPort: configuration.internalPort, lifetime: leaseSeconds)
            phase = .mapped(granted)
            lease = granted
            return [.mapped(granted)]
        case .delete:
            // Success, or a fault such as 714 (already gone): either way it is not there.
            return finishRelease(confirmed: true)
        }
    }

    public mutating func timerFired(now: UInt64) -> [Action] {
        armedTimer = nil
        switch phase {
        case .idle, .mapped, .released, .failed:
            return []
        case .searching(var exchange):
            switch exchange.fire(now: now) {
            case .wait:
                return rearm()
            case .resend:
                phase = .searching(exchange)
                return [.search(searches)] + rearm()
            case .timedOut:
                return fail(.noResponse(.upnp, requestsSent: exchange.sends))
            }
        case .waiting(let step, _, let deadlineAt):
            guard now >= deadlineAt else { return rearm() }
            switch step {
            case .delete: return finishRelease(confirmed: false)
            case .describe, .externalAddress, .add: return fail(.http("the gateway did not answer in time"))
            }
        }
    }

    private func failure(_ error: UPnPSOAP.ResponseError) -> PortMappingFailure {
        switch error {
        case .fault(let upnp): return .upnp(upnp)
        case .httpStatus, .missingResponse: return .http("\(error)")
        }
    }

    private mutating func send(_ step: Step, deadlineAt: UInt64) -> [Action] {
        let request: HTTPRequest
        switch step {
        case .describe(let location):
            request = HTTPRequest(method: "GET", url: location)
        case .externalAddress:
            request = UPnPSOAP.getExternalIPAddress(service: service!)
        case .add(let port, let leaseSeconds, _):
            request = UPnPSOAP.addPortMapping(service: service!, externalPort: port, internalPort: configuration.internalPort,
                                              internalClient: configuration.client.description,
                                              description: configuration.mappingDescription, leaseDuration: leaseSeconds)
        case .delete:
            request = UPnPSOAP.deletePortMapping(service: service!, externalPort: lease!.external.port)
        }
        nextID += 1
        phase = .waiting(step, id: nextID, deadlineAt: deadlineAt)
        return [.http(id: nextID, request)] + rearm()
    }

    private mutating func finishRelease(confirmed: Bool) -> [Action] {
        phase = .released
        lease = nil
        return [.released(confirmed: confirmed)]
    }

    private mutating func fail(_ failure: PortMappingFailure) -> [Action] {
        phase = .failed(failure)
        lease = nil
        return [.failed(failure)]
    }

    private mutating func rearm() -> [Action] {
        let due: UInt64?
        switch phase {
        case .searching(let exchange): due = exchange.dueAt
        case .waiting(_, _, let deadlineAt): due = deadlineAt
        case .idle, .mapped, .released, .failed: due = nil
        }
        guard let due, due != armedTimer else { return [] }
        armedTimer = due
        return [.setTimer(at: due)]
    }
}
