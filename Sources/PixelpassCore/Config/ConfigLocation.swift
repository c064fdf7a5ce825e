/// Where the config file is, and which rule chose it. Computed from an
/// environment dictionary (not the process's own) so tests can inject one.
public struct ConfigLocation: Equatable, Sendable {
    /// The environment variable that overrides everything, for tests and scripts.
    public static let overrideVariable = "PIXELPASS_CONFIG"

    public enum Rule: Equatable, Sendable {
        /// `$PIXELPASS_CONFIG`.
        case override
        /// `$XDG_CONFIG_HOME/pixelpass/config.toml`.
        case xdgConfigHome
        /// `$HOME/.config/pixelpass/config.toml`.
        case home

        public var description: String {
            switch self {
            case .override: return "set by $\(ConfigLocation.overrideVariable)"
            case .xdgConfigHome: return "under $XDG_CONFIG_HOME"
            case .home: return "under $HOME/.config"
            }
        }
    }

    public let path: String
    public let rule: Rule

    public init(path: String, rule: Rule) {
        self.path = path
        self.rule = rule
    }

    /// `$PIXELPASS_CONFIG`, else `$XDG_CONFIG_HOME/pixelpass/config.toml`,
    /// else `$HOME/.config/pixelpass/config.toml`. Empty variables count as
    /// unset, and a relative XDG_CONFIG_HOME is ignored, as the XDG Base
    /// Directory specification asks.
    public static func resolve(environment: [String: String]) throws(ConfigError) -> ConfigLocation {
        if let path = nonEmpty(environment[overrideVariable]) {
            return ConfigLocation(path: path, rule: .override)
        }
        if let xdg = nonEmpty(environment["XDG_CONFIG_HOME"]), xdg.hasPrefix("/") {
            return ConfigLocation(path: join(xdg, "pixelpass/config.toml"), rule: .xdgConfigHome)
        }
        if let home = nonEmpty(environment["HOME"]) {
            return ConfigLocation(path: join(home, ".config/pixelpass/config.toml"), rule: .home)
        }
        throw .noLocation
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }

    private static func join(_ directory: String, _ rest: String) -> String {
        var base = directory
        while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
        return base == "/" ? "/" + rest : base + "/" + rest
    }
}
