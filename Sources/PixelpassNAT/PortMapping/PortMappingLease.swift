/// How the router was asked.
public enum PortMappingProtocol: String, Hashable, Sendable, CustomStringConvertible {
    case pcp = "PCP"
    case natPMP = "NAT-PMP"
    case upnp = "UPnP IGD"

    public var description: String { rawValue }
}

/// A port the router forwards to us: outside peers reach `external`, the
/// router sends it on to our `internalPort`, for `lifetime` seconds from
/// when it was granted unless refreshed.
public struct PortMappingLease: Hashable, Sendable {
    public var mappingProtocol: PortMappingProtocol
    public var external: NATAddress
    public var internalPort: UInt16
    /// Seconds; 0 means permanent (UPnP routers that only do permanent leases).
    public var lifetime: UInt32

    public init(mappingProtocol: PortMappingProtocol, external: NATAddress, internalPort: UInt16, lifetime: UInt32) {
        self.mappingProtocol = mappingProtocol
        self.external = external
        self.internalPort = internalPort
        self.lifetime = lifetime
    }

    /// When to ask again: half the lifetime (RFC 6886 §3.3 and RFC 6887
    /// §11.2.1 suggest refreshing well before expiry), at least 30 s; nil
    /// for a permanent lease.
    public var refreshAfterSeconds: UInt32? {
        lifetime == 0 ? nil : max(30, lifetime / 2)
    }
}

/// Why the router did not map the port.
public enum PortMappingFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// Nothing answered before the deadline (no PCP/NAT-PMP or UPnP on the router).
    case noResponse(PortMappingProtocol, requestsSent: Int)
    case pcp(PCP.ResultCode)
    case natPMP(NATPMP.ResultCode)
    /// A SOAP fault from the IGD.
    case upnp(UPnPError)
    /// The IGD's HTTP server failed or gave something we cannot use.
    case http(String)
    /// An answer we cannot use (wrong port, unspecified address, bad XML).
    case invalidResponse(PortMappingProtocol, String)
    /// The router mapped a port but gave no usable external address.
    case noExternalAddress(PortMappingProtocol)

    public var description: String {
        switch self {
        case .noResponse(let proto, let sent):
            return "\(proto): no answer (\(sent) request\(sent == 1 ? "" : "s") sent)"
        case .pcp(let code): return "PCP: the router refused: \(code)"
        case .natPMP(let code): return "NAT-PMP: the router refused: \(code)"
        case .upnp(let error): return "UPnP IGD: the router refused: \(error)"
        case .http(let reason): return "UPnP IGD: \(reason)"
        case .invalidResponse(let proto, let reason): return "\(proto): unusable answer: \(reason)"
        case .noExternalAddress(let proto): return "\(proto): the router has no usable external address"
        }
    }
}
