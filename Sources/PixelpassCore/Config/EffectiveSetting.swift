/// One key's value in effect and where it came from, for `pixelpass config show`.
public struct EffectiveSetting: Equatable, Sendable {
    public enum Origin: Equatable, Sendable {
        /// Set by the config file, on this line.
        case file(line: Int?)
        case builtInDefault
    }

    public let key: ConfigKey
    /// The value as a TOML literal (`"auto"`, `30`, `true`, `["a:1"]`), or
    /// `nil` when the default is "not set" (native size, automatic player,
    /// a free port), which the file cannot spell.
    public let literal: String?
    public let origin: Origin
    /// What the default means, for defaults worth explaining.
    public let note: String?

    public init(key: ConfigKey, literal: String?, origin: Origin, note: String? = nil) {
        self.key = key
        self.literal = literal
        self.origin = origin
        self.note = note
    }
}

extension LoadedConfig {
    /// Every key, in table order, with the file's value or the built-in
    /// default. `automaticPlayer` is what "automatic" picks on this machine
    /// (nil: do not say); it is passed in so tests need no installed players.
    public func effectiveSettings(automaticPlayer: PlayerChoice? = nil) -> [EffectiveSetting] {
        ConfigKey.allCases.map { key in
            if let literal = Self.fileLiteral(key, parsed.values) {
                return EffectiveSetting(key: key, literal: literal, origin: .file(line: parsed.keyLines[key]))
            }
            return Self.defaultSetting(key, automaticPlayer: automaticPlayer)
        }
    }

    /// The file's value as TOML, or nil if the file does not set `key`.
    static func fileLiteral(_ key: ConfigKey, _ values: PixelpassConfig) -> String? {
        switch key {
        case .source: return values.host.source.map { quoted($0.rawValue) }
        case .bitrate: return values.host.bitrate.map(String.init)
        case .bitrateMode: return values.host.bitrateMode.map { quoted($0.rawValue) }
        case .bitrateFloor: return values.host.bitrateFloor.map(String.init)
        case .fps: return values.host.fps.map(String.init)
        case .size: return values.host.size.map { quoted($0.description) }
        case .maxViewers: return values.host.maxViewers.map(String.init)
        case .encoder: return values.host.encoder.map { quoted($0.rawValue) }
        case .hwencode: return values.host.hwencode.map(String.init)
        case .audio: return values.host.audio.map(String.init)
        case .bind: return values.host.bind.map(quoted)
        case .app: return values.host.app.map(quoted)
        case .keepTicket: return values.host.keepTicket.map(String.init)
        case .approve: return values.host.approve.map(String.init)
        case .name: return values.view.name.map(quoted)
        case .player: return values.view.player.map { quoted($0.rawValue) }
        case .port: return values.view.port.map(String.init)
        case .stun: return values.nat.stun.map { "[" + $0.map(quoted).joined(separator: ", ") + "]" }
        case .turn: return values.nat.turn.map(quoted)
        case .turnSecret: return values.nat.turnSecret.map(quoted)
        case .turnCA: return values.nat.turnCA.map(quoted)
        case .portMapping: return values.nat.portMapping.map(String.init)
        case .dht: return values.nat.dht.map(String.init)
        case .dhtBootstrap: return values.nat.dhtBootstrap.map { "[" + $0.map(quoted).joined(separator: ", ") + "]" }
        }
    }

    /// The built-in defaults, the same as `pixelpass host` / `view` use
    /// when neither a flag nor the file sets a value.
    static func defaultSetting(_ key: ConfigKey, automaticPlayer: PlayerChoice?) -> EffectiveSetting {
        let defaults = PixelpassConfig.Defaults.self
        func setting(_ literal: String?, _ note: String? = nil) -> EffectiveSetting {
            EffectiveSetting(key: key, literal: literal, origin: .builtInDefault, note: note)
        }
        switch key {
        case .source: return setting(quoted(defaults.source.rawValue))
        case .bitrate: return setting(String(defaults.bitrate))
        case .bitrateMode: return setting(quoted(defaults.bitrateMode.rawValue), "follow the viewers' links, up to bitrate")
        case .bitrateFloor: return setting(String(defaults.bitrateFloor))
        case .fps: return setting(String(defaults.fps))
        case .size: return setting(nil, "the source's own size (test and clock sources: 1280x720)")
        case .maxViewers: return setting(String(defaults.maxViewers))
        case .encoder: return setting(quoted(defaults.encoder.rawValue))
        case .hwencode: return setting(String(defaults.hwencode))
        case .audio: return setting(String(defaults.audio))
        case .bind: return setting(quoted(defaults.bind), "all interfaces, a free port")
        case .app: return setting(nil, "all system audio, not one application's")
        case .keepTicket: return setting(String(defaults.keepTicket), "a new ticket for every share")
        case .approve: return setting("false", "anyone with the ticket may watch")
        case .name: return setting(nil, "the login name")
        case .player:
            let here = automaticPlayer.map { " (here: \($0.rawValue))" } ?? ""
            return setting(nil, "mpv if installed, else vlc, else none\(here)")
        case .port: return setting(nil, "a free port")
        case .stun: return setting(nil, "public STUN servers: " + NATSettings.defaultSTUNServers.joined(separator: ", "))
        case .turn: return setting(nil, "no relay")
        case .turnSecret: return setting(nil, "none")
        case .turnCA: return setting(nil, "the system's trusted CAs only")
        case .portMapping: return setting("true", "ask the router (PCP, NAT-PMP, UPnP IGD)")
        case .dht: return setting("true", "meet viewers through the BitTorrent mainline DHT")
        case .dhtBootstrap: return setting(nil, "well-known routers: " + DHTSettings.defaultBootstrap.joined(separator: ", "))
        }
    }

    /// A TOML basic string.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
