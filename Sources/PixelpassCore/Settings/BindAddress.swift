import NIOCore

/// `bind` / `--bind`: the UDP address and port the host listens on,
/// "1.2.3.4:5" or "[::1]:5", port 0-65535 (0: any free port).
public struct BindAddress: TextSetting, Hashable, CustomStringConvertible {
    public static let settingName = "bind"
    public static let requirement = "must be \"ADDRESS:PORT\" with an IP address, e.g. \"0.0.0.0:4433\" or \"[::]:4433\""

    /// As written, which is how the config file shows it again.
    public let text: String
    public let socketAddress: SocketAddress

    public init(validating text: String) throws(SettingError) {
        guard let address = Self.socketAddress(text) else {
            throw SettingError(setting: Self.settingName, requirement: Self.requirement, got: SettingError.quoted(text))
        }
        self.text = text
        socketAddress = address
    }

    public var description: String { text }

    private static func socketAddress(_ text: String) -> SocketAddress? {
        let host: Substring
        let port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
        } else {
            // An IPv6 address needs its brackets, or its last group would read as the port.
            guard let colon = text.lastIndex(of: ":"), text.firstIndex(of: ":") == colon else { return nil }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        }
        // Digits only: Int alone would take "+80".
        guard !port.isEmpty, port.allSatisfy(\.isASCII), port.allSatisfy(\.isNumber),
              let number = Int(port), (0...65535).contains(number) else { return nil }
        return try? SocketAddress(ipAddress: String(host), port: number)
    }
}
