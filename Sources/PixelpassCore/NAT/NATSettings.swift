import PixelpassNAT

/// Which STUN and TURN servers to use (flags, else config, else defaults),
/// and whether to ask the router for a port mapping.
public struct NATSettings: Sendable, Equatable {
    /// "host:port" of STUN servers; empty: no discovery.
    public var stunServers: [String]
    public var turn: TURNServerSetting?
    /// A PEM file of extra CA certificates to trust for `turns:` servers
    /// (`--turn-ca` / `[nat] turn_ca`), beside the system's.
    public var turnCA: String?
    /// Ask the router (PCP, NAT-PMP, UPnP IGD) to forward the host's port;
    /// off with `--no-port-mapping` / `[nat] port_mapping = false`.
    public var portMapping: Bool
    /// The mainline DHT rendezvous.
    public var dht: DHTSettings

    /// Well-known public STUN servers, used when nothing else is configured.
    public static let defaultSTUNServers = ["stun.l.google.com:19302", "stun.cloudflare.com:3478"]

    public init(stunServers: [String] = NATSettings.defaultSTUNServers, turn: TURNServerSetting? = nil,
                turnCA: String? = nil, portMapping: Bool = true, dht: DHTSettings = DHTSettings()) {
        self.stunServers = stunServers
        self.turn = turn
        self.turnCA = turnCA
        self.portMapping = portMapping
        self.dht = dht
    }
}

/// Whether and how to meet the other side through the BitTorrent mainline
/// DHT (host and viewer alike).
public struct DHTSettings: Sendable, Equatable {
    /// Off with `--no-dht` / `[nat] dht = false`.
    public var enabled: Bool
    /// "host:port" of the nodes to join through.
    public var bootstrap: [String]

    /// The mainline DHT's well-known routers (DESIGN §9a).
    public static let defaultBootstrap = ["dht.libtorrent.org:25401", "dht.transmissionbt.com:6881",
                                          "router.bittorrent.com:6881", "router.utorrent.com:6881"]

    public init(enabled: Bool = true, bootstrap: [String] = DHTSettings.defaultBootstrap) {
        self.enabled = enabled
        self.bootstrap = bootstrap
    }
}

/// A TURN server with long-term credentials, or coturn's REST-API secret
/// (`use-auth-secret`) from which short-lived credentials are minted — those
/// may ride in the ticket, so a viewer can use the relay too.
public struct TURNServerSetting: Sendable, Equatable {
    public enum Auth: Sendable, Equatable {
        case password(username: String, password: String)
        case restSecret(String)
    }

    /// "host:port".
    public var server: String
    public var auth: Auth
    /// UDP, TCP or TLS to the server.
    public var transport: TURNTransport

    public init(server: String, auth: Auth, transport: TURNTransport = .udp) {
        self.server = server
        self.auth = auth
        self.transport = transport
    }

    /// The server's name without the port (and without brackets around an
    /// IPv6 address): what TLS sends as SNI and checks the certificate against.
    public var hostName: String {
        var host = Substring(server)
        if let colon = host.lastIndex(of: ":") { host = host[..<colon] }
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        return String(host)
    }

    /// Parses `turn:USER:PASS@HOST:PORT` (or `turns:…`, `…?transport=tcp`), or `turn:HOST:PORT` when a REST
    /// secret is given separately. Nil when malformed. The rules are the
    /// `turn` setting's one parser, `TURNServerURL`.
    public static func parse(_ url: String, secret: String?) -> TURNServerSetting? {
        (try? TURNServerURL(validating: url))?.setting(secret: secret)
    }

    /// Credentials to use now: the long-term pair, or REST credentials valid
    /// for `validFor` seconds (a share lasts hours; coturn checks the expiry
    /// on every refresh).
    public func credentials(name: String, validFor: UInt64 = 24 * 3600, unixNow: UInt64) -> TURNCredentials {
        switch auth {
        case .password(let username, let password): return TURNCredentials(username: username, password: password)
        case .restSecret(let secret): return TURNCredentials.rest(secret: secret, name: name, validFor: validFor, now: unixNow)
        }
    }
}
