/// Turns a parsed TOML document into a `PixelpassConfig`, collecting every
/// problem (unknown names, wrong types, values out of range) with its line,
/// so one run of `pixelpass config show` lists all of them.
struct ConfigValidator {
    private(set) var config = PixelpassConfig()
    private(set) var keyLines: [ConfigKey: Int] = [:]
    private(set) var problems: [ConfigProblem] = []

    static func validate(_ document: TOMLDocument) -> ConfigValidator {
        var validator = ConfigValidator()
        for entry in document.root { validator.visitTopLevel(entry) }
        validator.checkCombinations()
        validator.problems.sort { ($0.line ?? .max) < ($1.line ?? .max) }
        return validator
    }

    // MARK: - Names

    private mutating func visitTopLevel(_ entry: TOMLDocument.Entry) {
        if let table = ConfigTable(rawValue: entry.key) {
            guard case .table(let entries) = entry.value else {
                problem(entry.line, "\(entry.key) must be a table: a line [\(entry.key)] followed by its keys "
                        + "(got \(entry.value.shortDescription))")
                return
            }
            for child in entries { visit(child, in: table) }
            return
        }
        let tableNames = ConfigTable.allCases.map(\.rawValue)
        if case .table = entry.value {
            var message = "unknown table [\(entry.key)]"
            if let guess = ConfigSuggestion.closest(to: entry.key, among: tableNames) {
                message += " (did you mean [\(guess)]?)"
            } else {
                message += " (pixelpass reads [host], [view] and [nat])"
            }
            problem(entry.line, message)
            return
        }
        let guess = ConfigSuggestion.closest(to: entry.key, among: ConfigKey.allCases.map(\.name))
        if let key = ConfigKey(rawValue: entry.key) ?? guess.flatMap(ConfigKey.init(rawValue:)) {
            let spelled = key.name == entry.key ? "" : " (did you mean \"\(key.name)\"?)"
            problem(entry.line, "\"\(entry.key)\" is outside any table\(spelled): put it below a [\(key.table.rawValue)] line")
        } else {
            problem(entry.line, "unknown key \"\(entry.key)\" outside any table (pixelpass reads [host], [view] and [nat])")
        }
    }

    private mutating func visit(_ entry: TOMLDocument.Entry, in table: ConfigTable) {
        if let key = ConfigKey.lookup(table: table, name: entry.key) {
            keyLines[key] = entry.line
            do {
                try apply(key, entry.value)
            } catch {
                problem(entry.line, error.message)
            }
            return
        }
        var message = "unknown key \"\(entry.key)\" in [\(table.rawValue)]"
        let here = ConfigKey.keys(in: table).map(\.name)
        let everywhere = ConfigKey.allCases.map(\.name)
        if let guess = ConfigSuggestion.closest(to: entry.key, among: here) {
            message += " (did you mean \"\(guess)\"?)"
        } else if let guess = ConfigSuggestion.closest(to: entry.key, among: everywhere),
                  let key = ConfigKey(rawValue: guess) {
            message += " (\"\(key.name)\" goes in [\(key.table.rawValue)])"
        } else {
            message += " (known keys: \(here.joined(separator: ", ")))"
        }
        problem(entry.line, message)
    }

    // MARK: - Values

    private mutating func apply(_ key: ConfigKey, _ value: TOMLDocument.Value) throws(ValueProblem) {
        switch key {
        case .source:
            config.host.source = try Self.text(value, CaptureSourceName.self)
        case .bitrate:
            config.host.bitrate = try Self.integer(value, Bitrate.self)
        case .bitrateMode:
            config.host.bitrateMode = try Self.text(value, BitrateMode.self)
        case .bitrateFloor:
            config.host.bitrateFloor = try Self.integer(value, BitrateFloor.self)
        case .fps:
            config.host.fps = try Self.integer(value, FrameRate.self)
        case .size:
            config.host.size = try Self.text(value, VideoSize.self)
        case .maxViewers:
            config.host.maxViewers = try Self.integer(value, ViewerLimit.self)
        case .encoder:
            config.host.encoder = try Self.text(value, EncoderName.self)
        case .hwencode:
            config.host.hwencode = try Self.boolean(key, value)
        case .audio:
            config.host.audio = try Self.boolean(key, value)
        case .bind:
            config.host.bind = try Self.text(value, BindAddress.self).text
        case .app:
            guard case .string(let text) = value, !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ValueProblem("app must be an application's name or program, e.g. \"firefox\" "
                                   + "(see: pixelpass apps; got \(value.shortDescription))")
            }
            config.host.app = text
        case .keepTicket:
            config.host.keepTicket = try Self.boolean(key, value)
        case .approve:
            config.host.approve = try Self.boolean(key, value)
        case .name:
            config.view.name = try Self.text(value, ViewerName.self).text
        case .player:
            config.view.player = try Self.text(value, PlayerChoice.self)
        case .port:
            config.view.port = try Self.integer(value, RelayPort.self)
        case .stun:
            guard case .array(let items) = value else {
                throw ValueProblem("stun must be an array of \"host:port\" strings, e.g. [\"stun.example.org:3478\"] "
                                   + "(got \(value.shortDescription))")
            }
            config.nat.stun = try items.map { item throws(ValueProblem) in
                guard case .string(let text) = item, let server = try? STUNServer(validating: text) else {
                    throw ValueProblem("stun must be an array of \"host:port\" strings (got an element \(item.shortDescription))")
                }
                return server.text
            }
        case .turn:
            config.nat.turn = try Self.text(value, TURNServerURL.self).text
        case .turnSecret:
            guard case .string(let text) = value, !text.isEmpty else {
                throw ValueProblem("turn_secret must be a non-empty string: coturn's static-auth-secret (got \(value.shortDescription))")
            }
            config.nat.turnSecret = text
        case .turnCA:
            guard case .string(let text) = value, !text.isEmpty else {
                throw ValueProblem("turn_ca must be the path of a PEM file of CA certificates (got \(value.shortDescription))")
            }
            config.nat.turnCA = text
        case .portMapping:
            config.nat.portMapping = try Self.boolean(key, value)
        case .dht:
            config.nat.dht = try Self.boolean(key, value)
        case .dhtBootstrap:
            guard case .array(let items) = value else {
                throw ValueProblem("dht_bootstrap must be an array of \"host:port\" strings, e.g. [\"dht.libtorrent.org:25401\"] "
                                   + "(got \(value.shortDescription))")
            }
            config.nat.dhtBootstrap = try items.map { item throws(ValueProblem) in
                guard case .string(let text) = item, let node = try? DHTBootstrapNode(validating: text) else {
                    throw ValueProblem("dht_bootstrap must be an array of \"host:port\" strings (got an element \(item.shortDescription))")
                }
                return node.text
            }
        }
    }

    /// Contradictions between keys, reported at the line of the key that
    /// names the specific thing (as `--encoder` with `--no-hwencode` is).
    private mutating func checkCombinations() {
        if let encoder = config.host.encoder, encoder.isHardware, config.host.hwencode == false {
            let hwLine = keyLines[.hwencode].map { " (line \($0))" } ?? ""
            problem(keyLines[.encoder], "encoder \"\(encoder.rawValue)\" is a hardware encoder, "
                    + "but hwencode = false\(hwLine): remove one of them")
        }
    }

    private mutating func problem(_ line: Int?, _ message: String) {
        problems.append(ConfigProblem(line: line, message: message))
    }

    // MARK: - Value checks

    struct ValueProblem: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    /// An integer setting through its type; another TOML type is the same
    /// problem, with the value shown as TOML shows it.
    private static func integer<Bounds>(_ value: TOMLDocument.Value,
                                        _ type: BoundedInteger<Bounds>.Type) throws(ValueProblem) -> Int {
        guard case .integer(let number) = value else {
            throw ValueProblem(type.error(got: value.shortDescription).description)
        }
        do {
            return try type.init(number).value
        } catch {
            throw ValueProblem(error.replacingGot(value.shortDescription).description)
        }
    }

    private static func boolean(_ key: ConfigKey, _ value: TOMLDocument.Value) throws(ValueProblem) -> Bool {
        guard case .boolean(let flag) = value else {
            throw ValueProblem("\(key.name) must be true or false, without quotes (got \(value.shortDescription))")
        }
        return flag
    }

    /// A text setting through its type's one parser; another TOML type is
    /// the same problem, with the value shown as TOML shows it.
    private static func text<Setting: TextSetting>(_ value: TOMLDocument.Value,
                                                   _ type: Setting.Type) throws(ValueProblem) -> Setting {
        do throws(SettingError) {
            guard case .string(let text) = value else {
                throw SettingError(setting: type.settingName, requirement: type.requirement, got: value.shortDescription)
            }
            return try type.init(validating: text)
        } catch {
            throw ValueProblem(error.replacingGot(value.shortDescription).description)
        }
    }
}
