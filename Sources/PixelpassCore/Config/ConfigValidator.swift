import NIOCore

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
            config.host.source = try Self.choice(key, value, PixelpassConfig.Source.self)
        case .bitrate:
            config.host.bitrate = try Self.integer(key, value, 100...100_000, unit: "kbit/s")
        case .fps:
            config.host.fps = try Self.integer(key, value, 1...120)
        case .size:
            let message = "size must be \"WIDTHxHEIGHT\" with even numbers, width 16-7680 and height 16-4320, "
                + "e.g. \"1280x720\" (got \(value.shortDescription))"
            guard case .string(let text) = value, let size = VideoSize(parsing: text) else {
                throw ValueProblem(message)
            }
            config.host.size = size
        case .maxViewers:
            config.host.maxViewers = try Self.integer(key, value, 1...64)
        case .encoder:
            config.host.encoder = try Self.choice(key, value, PixelpassConfig.Encoder.self)
        case .hwencode:
            config.host.hwencode = try Self.boolean(key, value)
        case .audio:
            config.host.audio = try Self.boolean(key, value)
        case .bind:
            guard case .string(let text) = value, Self.isSocketAddress(text) else {
                throw ValueProblem("bind must be \"ADDRESS:PORT\" with an IP address, e.g. \"0.0.0.0:4433\" "
                                   + "or \"[::]:4433\" (got \(value.shortDescription))")
            }
            config.host.bind = text
        case .app:
            guard case .string(let text) = value, !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ValueProblem("app must be an application's name or program, e.g. \"firefox\" "
                                   + "(see: pixelpass apps; got \(value.shortDescription))")
            }
            config.host.app = text
        case .player:
            config.view.player = try Self.choice(key, value, PlayerChoice.self,
                                                 hint: "leave it out to pick automatically")
        case .port:
            config.view.port = try Self.integer(key, value, 1...65535)
        case .stun:
            guard case .array(let items) = value else {
                throw ValueProblem("stun must be an array of \"host:port\" strings, e.g. [\"stun.example.org:3478\"] "
                                   + "(got \(value.shortDescription))")
            }
            config.nat.stun = try items.map { item throws(ValueProblem) in
                guard case .string(let text) = item else {
                    throw ValueProblem("stun must be an array of \"host:port\" strings (got an element \(item.shortDescription))")
                }
                return text
            }
        case .turn:
            guard case .string(let text) = value, text.hasPrefix("turn:") else {
                throw ValueProblem("turn must be a string \"turn:USER:PASS@HOST:PORT\" or \"turn:HOST:PORT\" with turn_secret "
                                   + "(got \(value.shortDescription))")
            }
            config.nat.turn = text
        case .turnSecret:
            guard case .string(let text) = value, !text.isEmpty else {
                throw ValueProblem("turn_secret must be a non-empty string: coturn's static-auth-secret (got \(value.shortDescription))")
            }
            config.nat.turnSecret = text
        case .portMapping:
            config.nat.portMapping = try Self.boolean(key, value)
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

    private static func integer(_ key: ConfigKey, _ value: TOMLDocument.Value, _ range: ClosedRange<Int>,
                                unit: String? = nil) throws(ValueProblem) -> Int {
        guard case .integer(let number) = value, range.contains(number) else {
            let unitText = unit.map { ", in \($0)" } ?? ""
            throw ValueProblem("\(key.name) must be an integer between \(range.lowerBound) and \(range.upperBound)"
                               + "\(unitText) (got \(value.shortDescription))")
        }
        return number
    }

    private static func boolean(_ key: ConfigKey, _ value: TOMLDocument.Value) throws(ValueProblem) -> Bool {
        guard case .boolean(let flag) = value else {
            throw ValueProblem("\(key.name) must be true or false, without quotes (got \(value.shortDescription))")
        }
        return flag
    }

    private static func choice<Choice: RawRepresentable & CaseIterable>(
        _ key: ConfigKey, _ value: TOMLDocument.Value, _ type: Choice.Type, hint: String? = nil
    ) throws(ValueProblem) -> Choice where Choice.RawValue == String {
        if case .string(let text) = value, let choice = Choice(rawValue: text) { return choice }
        let names = Choice.allCases.map(\.rawValue)
        var message = "\(key.name) must be one of \(names.joined(separator: ", "))"
        if let hint { message += " (\(hint))" }
        message += " (got \(value.shortDescription))"
        if case .string(let text) = value, let guess = ConfigSuggestion.closest(to: text, among: names) {
            message += "; did you mean \"\(guess)\"?"
        }
        throw ValueProblem(message)
    }

    /// "1.2.3.4:5" or "[::1]:5", port 0-65535 (0: any free port).
    static func isSocketAddress(_ text: String) -> Bool {
        let host: Substring
        let port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return false }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
        } else {
            // An IPv6 address needs its brackets, or its last group would read as the port.
            guard let colon = text.lastIndex(of: ":"), text.firstIndex(of: ":") == colon else { return false }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        }
        guard !port.isEmpty, port.allSatisfy(\.isASCII), port.allSatisfy(\.isNumber),
              let number = Int(port), (0...65535).contains(number) else { return false }
        return (try? SocketAddress(ipAddress: String(host), port: number)) != nil
    }
}
