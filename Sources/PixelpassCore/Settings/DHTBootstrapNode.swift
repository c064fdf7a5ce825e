/// One entry of `dht_bootstrap` / `--dht-bootstrap`: a DHT node to join
/// through, as "HOST:PORT" (a name or an address, looked up at start).
public struct DHTBootstrapNode: TextSetting, Hashable, CustomStringConvertible {
    public static let settingName = "dht-bootstrap"
    public static let requirement = "must be HOST:PORT, e.g. dht.libtorrent.org:25401"

    /// As written; resolved when the DHT starts.
    public let text: String

    public init(validating text: String) throws(SettingError) {
        guard HostAndPort.isValid(text) else {
            throw SettingError(setting: Self.settingName, requirement: Self.requirement, got: SettingError.quoted(text))
        }
        self.text = text
    }

    public var description: String { text }
}
