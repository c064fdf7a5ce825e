extension LoadedConfig {
    /// The settings in effect as a TOML file with a comment on each line
    /// saying where the value came from. Defaults the file cannot spell are
    /// commented out, so the output is itself a valid config file.
    public func renderEffective(automaticPlayer: PlayerChoice? = nil) -> String {
        let settings = effectiveSettings(automaticPlayer: automaticPlayer)
        let statements = settings.map { setting in
            setting.literal.map { "\(setting.key.name) = \($0)" } ?? "# \(setting.key.name) is not set"
        }
        let column = max(28, (statements.map(\.count).max() ?? 0) + 2)

        var out = "# pixelpass settings in effect; flags on the command line override them.\n"
        if fileExists {
            out += "# file: \(path)\n"
        } else {
            out += "# file: \(path) (not there: built-in defaults only)\n"
        }
        var table: ConfigTable?
        for (setting, statement) in zip(settings, statements) {
            if setting.key.table != table {
                table = setting.key.table
                out += "\n[\(setting.key.table.rawValue)]\n"
            }
            let padding = String(repeating: " ", count: max(1, column - statement.count))
            out += statement + padding + "# " + Self.originComment(setting) + "\n"
        }
        return out
    }

    static func originComment(_ setting: EffectiveSetting) -> String {
        switch setting.origin {
        case .file(let line):
            return line.map { "from file, line \($0)" } ?? "from file"
        case .builtInDefault:
            return setting.note.map { "default: \($0)" } ?? "default"
        }
    }
}
