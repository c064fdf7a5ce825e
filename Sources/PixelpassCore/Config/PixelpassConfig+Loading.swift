/// A config file's values and the line each key came from.
public struct ParsedConfig: Equatable, Sendable {
    public var values: PixelpassConfig
    /// 1-based line of each key the file sets.
    public var keyLines: [ConfigKey: Int]

    public init(values: PixelpassConfig = PixelpassConfig(), keyLines: [ConfigKey: Int] = [:]) {
        self.values = values
        self.keyLines = keyLines
    }
}

/// The config in effect for this run: where it was looked for, whether a
/// file was there, and what it says.
public struct LoadedConfig: Equatable, Sendable {
    public let location: ConfigLocation
    public let fileExists: Bool
    public let parsed: ParsedConfig

    public init(location: ConfigLocation, fileExists: Bool, parsed: ParsedConfig) {
        self.location = location
        self.fileExists = fileExists
        self.parsed = parsed
    }

    public var path: String { location.path }
    public var values: PixelpassConfig { parsed.values }
    public var host: PixelpassConfig.Host { parsed.values.host }
    public var view: PixelpassConfig.View { parsed.values.view }
    public var nat: PixelpassConfig.NAT { parsed.values.nat }
}

extension PixelpassConfig {
    /// Reads the config file the environment points at (see
    /// `ConfigLocation.resolve`). A missing file is an empty config; an
    /// unreadable, malformed or invalid one is an error naming path and line.
    public static func load(environment: [String: String]) throws(ConfigError) -> LoadedConfig {
        let location = try ConfigLocation.resolve(environment: environment)
        guard let text = try ConfigFileReader.read(location.path) else {
            return LoadedConfig(location: location, fileExists: false, parsed: ParsedConfig())
        }
        return LoadedConfig(location: location, fileExists: true, parsed: try parse(text, path: location.path))
    }

    /// Parses and validates config text; `path` only goes into messages.
    public static func parse(_ text: String, path: String) throws(ConfigError) -> ParsedConfig {
        let document: TOMLDocument
        do {
            document = try TOMLDocument.parse(text)
        } catch {
            throw .syntax(path: path, line: error.line, column: error.column, message: error.message)
        }
        let result = ConfigValidator.validate(document)
        guard result.problems.isEmpty else { throw .invalid(path: path, problems: result.problems) }
        return ParsedConfig(values: result.config, keyLines: result.keyLines)
    }
}
