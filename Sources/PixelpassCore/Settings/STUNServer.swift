/// One entry of `stun` / `--stun`: a STUN server as "HOST:PORT", where HOST
/// is a name or an address (looked up when the host starts), port 1-65535.
public struct STUNServer: TextSetting, Hashable, CustomStringConvertible {
    public static let settingName = "stun"
    public static let requirement = "must be HOST:PORT, e.g. stun.example.org:3478"

    /// As written; the host resolves it.
    public let text: String

    public init(validating text: String) throws(SettingError) {
        guard HostAndPort.isValid(text) else {
            throw SettingError(setting: Self.settingName, requirement: Self.requirement, got: SettingError.quoted(text))
        }
        self.text = text
    }

    public var description: String { text }
}
