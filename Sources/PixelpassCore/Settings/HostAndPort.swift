/// "HOST:PORT" as the server settings write it: a name or an address (looked
/// up when used), a colon, and a port 1-65535.
enum HostAndPort {
    static func isValid(_ text: String) -> Bool {
        guard let colon = text.lastIndex(of: ":"), colon > text.startIndex,
              let port = Int(text[text.index(after: colon)...]) else { return false }
        return (1...65535).contains(port)
    }
}

/// A server setting written "HOST:PORT" (a STUN server, a DHT node): only
/// its name and example differ, so the parser is written once.
public protocol HostAndPortSetting: TextSetting, Hashable, CustomStringConvertible {
    /// As written; looked up when used.
    var text: String { get }
    /// Only after `HostAndPort.isValid`.
    init(checked text: String)
}

extension HostAndPortSetting {
    public init(validating text: String) throws(SettingError) {
        guard HostAndPort.isValid(text) else {
            throw SettingError(setting: Self.settingName, requirement: Self.requirement, got: SettingError.quoted(text))
        }
        self.init(checked: text)
    }

    public var description: String { text }
}
