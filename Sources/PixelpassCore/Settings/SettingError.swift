/// A setting's value that pixelpass does not accept, whether it came from
/// the config file or the command line: which setting, what it must be, and
/// what was given. Every setting type throws this from its one parser.
public struct SettingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The setting as the config file names it: "bitrate".
    public let setting: String
    /// What a good value looks like, completing "bitrate …":
    /// "must be an integer between 100 and 100000, in kbit/s".
    public let requirement: String
    /// The value given, as it was written: "99", "\"x265enc\"".
    public let got: String
    /// A close valid value, for a likely typo.
    public let suggestion: String?

    public init(setting: String, requirement: String, got: String, suggestion: String? = nil) {
        self.setting = setting
        self.requirement = requirement
        self.got = got
        self.suggestion = suggestion
    }

    /// `bitrate must be … (got 99)`, plus `; did you mean "x"?` for a typo.
    public var description: String {
        let guess = suggestion.map { "; did you mean \"\($0)\"?" } ?? ""
        return "\(setting) \(requirement) (got \(got))\(guess)"
    }

    /// The same problem about a value written another way (the config file
    /// shows a TOML value: a string quoted, an array as "an array").
    func replacingGot(_ got: String) -> SettingError {
        SettingError(setting: setting, requirement: requirement, got: got, suggestion: suggestion)
    }

    /// Text values are shown in double quotes.
    static func quoted(_ text: String) -> String { "\"\(text)\"" }
}
