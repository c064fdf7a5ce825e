/// A setting that is one of a fixed set of names (source, encoder, player).
/// The one parser for all of them; the names come from `allCases`, so the
/// list in an error message is always the list that is accepted.
public protocol NamedSetting: TextSetting, RawRepresentable, CaseIterable where RawValue == String {
    /// Said after the list of names, e.g. "leave it out to pick automatically".
    static var namesHint: String? { get }
}

extension NamedSetting {
    public static var namesHint: String? { nil }

    /// "must be one of auto, x11, …".
    public static var requirement: String {
        var text = "must be one of \(allCases.map(\.rawValue).joined(separator: ", "))"
        if let namesHint { text += " (\(namesHint))" }
        return text
    }

    /// Exactly one of the names (case matters: the config file and the
    /// flags have always been strict), else an error suggesting a close name.
    public init(validating text: String) throws(SettingError) {
        if let value = Self(rawValue: text) {
            self = value
            return
        }
        throw SettingError(setting: Self.settingName, requirement: Self.requirement, got: SettingError.quoted(text),
                           suggestion: ConfigSuggestion.closest(to: text, among: Self.allCases.map(\.rawValue)))
    }
}
