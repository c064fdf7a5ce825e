/// A setting written as text, with the one parser that says what is wrong.
/// The config file and the command line both go through `init(validating:)`.
public protocol TextSetting: Sendable {
    /// The setting as the config file names it: "size".
    static var settingName: String { get }
    /// What a good value looks like, completing "size …".
    static var requirement: String { get }

    init(validating text: String) throws(SettingError)
}
