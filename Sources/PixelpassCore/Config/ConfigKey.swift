/// The tables a config file may have. Anything else is an error, so a typo
/// never silently falls back to a default.
public enum ConfigTable: String, CaseIterable, Sendable {
    case host, view, nat
}

/// Every key a config file may set. The switches over this enum (validation,
/// defaults, rendering) have no `default`, so a new key fails to compile
/// until each of them handles it.
public enum ConfigKey: String, CaseIterable, Sendable {
    // [host]
    case source, bitrate
    case bitrateMode = "bitrate_mode"
    case bitrateFloor = "bitrate_floor"
    case fps, size
    case maxViewers = "max_viewers"
    case encoder, hwencode, audio, bind, app
    case keepTicket = "keep_ticket"
    case approve
    // [view]
    case player, port, name
    // [nat]: STUN servers, TURN relay (turn:USER:PASS@HOST:PORT, or
    // turn:HOST:PORT with coturn's REST secret in turn_secret; turns: for
    // TLS, whose server certificate may come from the private CA in turn_ca)
    case stun, turn
    case turnSecret = "turn_secret"
    case turnCA = "turn_ca"
    case portMapping = "port_mapping"
    // [nat]: the mainline DHT rendezvous (on by default) and its bootstrap nodes
    case dht
    case dhtBootstrap = "dht_bootstrap"

    public var table: ConfigTable {
        switch self {
        case .source, .bitrate, .bitrateMode, .bitrateFloor, .fps, .size, .maxViewers, .encoder, .hwencode, .audio, .bind, .app, .keepTicket,
             .approve:
            return .host
        case .player, .port, .name: return .view
        case .stun, .turn, .turnSecret, .turnCA, .portMapping, .dht, .dhtBootstrap: return .nat
        }
    }

    /// The key's name as written in the file.
    public var name: String { rawValue }

    public static func keys(in table: ConfigTable) -> [ConfigKey] {
        allCases.filter { $0.table == table }
    }

    static func lookup(table: ConfigTable, name: String) -> ConfigKey? {
        guard let key = ConfigKey(rawValue: name), key.table == table else { return nil }
        return key
    }
}
