/// Why a config file could not be used. Every case names the file, and the
/// line when there is one, as `PATH:LINE: problem` (the form editors and
/// terminals turn into links).
public enum ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    /// None of PIXELPASS_CONFIG, XDG_CONFIG_HOME and HOME is set.
    case noLocation
    /// The file exists but cannot be read (permissions, a directory, not UTF-8).
    case unreadable(path: String, reason: String)
    /// Not valid TOML.
    case syntax(path: String, line: Int, column: Int?, message: String)
    /// Valid TOML that says something pixelpass does not accept; every
    /// problem found, in file order.
    case invalid(path: String, problems: [ConfigProblem])
    /// `config init` found a file already there.
    case alreadyExists(path: String)
    /// `config init` could not write the file.
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .noLocation:
            return "cannot tell where the config file is: set HOME, XDG_CONFIG_HOME or \(ConfigLocation.overrideVariable)"
        case .unreadable(let path, let reason):
            return "\(path): cannot read the config file: \(reason)"
        case .syntax(let path, let line, let column, let message):
            let place = column.map { "\(line):\($0)" } ?? "\(line)"
            return "\(path):\(place): not valid TOML: \(message)"
        case .invalid(let path, let problems):
            return problems.map { $0.located(in: path) }.joined(separator: "\n")
        case .alreadyExists(let path):
            return "\(path) already exists; edit it, or move it away to start again from the template"
        case .writeFailed(let path, let reason):
            return "\(path): cannot write the config file: \(reason)"
        }
    }
}

/// One thing wrong with one key or table of an otherwise valid TOML file.
public struct ConfigProblem: Equatable, Sendable {
    /// 1-based; `nil` only if the key could not be found in the text.
    public let line: Int?
    public let message: String

    public init(line: Int?, message: String) {
        self.line = line
        self.message = message
    }

    func located(in path: String) -> String {
        guard let line else { return "\(path): \(message)" }
        return "\(path):\(line): \(message)"
    }
}
