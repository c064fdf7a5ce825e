import PixelpassNAT

/// `turn` / `--turn`: a TURN relay, "turn:USER:PASS@HOST:PORT" with
/// long-term credentials, or "turn:HOST:PORT" whose credentials are minted
/// from coturn's REST secret (`turn_secret` / `--turn-secret`), which may
/// come from elsewhere than the URL (the file, the flag).
public struct TURNServerURL: TextSetting, Hashable, CustomStringConvertible {
    public static let settingName = "turn"
    public static let requirement = "must be a string \"turn:USER:PASS@HOST:PORT\" or \"turn:HOST:PORT\" with turn_secret"

    /// Long-term credentials from the URL.
    public struct Login: Hashable, Sendable {
        public let username: String
        public let password: String
    }

    /// As written.
    public let text: String
    /// "host:port".
    public let server: String
    public let login: Login?

    public init(validating text: String) throws(SettingError) {
        let error = SettingError(setting: Self.settingName, requirement: Self.requirement, got: SettingError.quoted(text))
        guard text.hasPrefix("turn:") else { throw error }
        let rest = text.dropFirst("turn:".count)
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            let server = String(rest[rest.index(after: at)...])
            guard let colon = userInfo.firstIndex(of: ":"), colon > userInfo.startIndex,
                  NATAddress(server) != nil || server.contains(":") else { throw error }
            login = Login(username: String(userInfo[..<colon]), password: String(userInfo[userInfo.index(after: colon)...]))
            self.server = server
        } else {
            guard rest.contains(":") else { throw error }
            login = nil
            server = String(rest)
        }
        self.text = text
    }

    /// The relay to use: the URL's login, else short-lived credentials from
    /// `secret`; nil when neither is there.
    public func setting(secret: String?) -> TURNServerSetting? {
        if let login {
            return TURNServerSetting(server: server, auth: .password(username: login.username, password: login.password))
        }
        guard let secret, !secret.isEmpty else { return nil }
        return TURNServerSetting(server: server, auth: .restSecret(secret))
    }

    public var description: String { text }
}
