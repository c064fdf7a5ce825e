import PixelpassNAT

/// `turn` / `--turn`: a TURN relay, "turn:USER:PASS@HOST:PORT" with
/// long-term credentials, or "turn:HOST:PORT" whose credentials are minted
/// from coturn's REST secret (`turn_secret` / `--turn-secret`), which may
/// come from elsewhere than the URL (the file, the flag).
///
/// How we reach the server (RFC 7065): `turn:` is UDP, `turn:…?transport=tcp`
/// TCP, and `turns:` TLS over TCP. The relayed leg is UDP whichever it is.
/// The port is always written out: TLS servers listen on 5349 (coturn) or
/// 443 (most commercial services), and guessing wrong would only look like
/// a server that does not answer.
public struct TURNServerURL: TextSetting, Hashable, CustomStringConvertible {
    public static let settingName = "turn"
    public static let requirement = "must be a string \"turn:USER:PASS@HOST:PORT\" or \"turn:HOST:PORT\" with turn_secret"
        + " (\"turns:\" for TLS, \"?transport=tcp\" for TCP)"

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
    public let transport: TURNTransport

    public init(validating text: String) throws(SettingError) {
        func problem(_ requirement: String = Self.requirement) -> SettingError {
            SettingError(setting: Self.settingName, requirement: requirement, got: SettingError.quoted(text))
        }
        let secure: Bool
        let rest: Substring
        if text.hasPrefix("turns:") {
            secure = true
            rest = text.dropFirst("turns:".count)
        } else if text.hasPrefix("turn:") {
            secure = false
            rest = text.dropFirst("turn:".count)
        } else {
            throw problem()
        }
        // The query follows the server; a password may hold '?' or '@', so
        // look for it only after the last '@'.
        let serverStart = rest.lastIndex(of: "@").map { rest.index(after: $0) } ?? rest.startIndex
        let queryStart = rest[serverStart...].firstIndex(of: "?")
        let authority = rest[..<(queryStart ?? rest.endIndex)]
        var transportName: String?
        if let queryStart {
            for parameter in rest[rest.index(after: queryStart)...].split(separator: "&", omittingEmptySubsequences: false) {
                let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2, parts[0] == "transport" else {
                    throw problem("takes only the parameter ?transport=udp or ?transport=tcp, not \"\(parameter)\"")
                }
                transportName = String(parts[1])
            }
        }
        switch (secure, transportName) {
        case (false, nil), (false, "udp"?): transport = .udp
        case (false, "tcp"?): transport = .tcp
        case (true, nil), (true, "tcp"?): transport = .tls
        case (true, "udp"?):
            throw problem("cannot be turns: with transport=udp (that would be DTLS, which pixelpass does not speak):"
                          + " use turns:HOST:PORT for TLS over TCP")
        case (_, let other?):
            throw problem("has an unknown transport \"\(other)\": use ?transport=udp or ?transport=tcp, or turns: for TLS")
        }
        let hostPort: String
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            hostPort = String(authority[authority.index(after: at)...])
            guard let colon = userInfo.firstIndex(of: ":"), colon > userInfo.startIndex else { throw problem() }
            login = Login(username: String(userInfo[..<colon]), password: String(userInfo[userInfo.index(after: colon)...]))
        } else {
            hostPort = String(authority)
            login = nil
        }
        guard HostAndPort.isValid(hostPort) else {
            if !hostPort.isEmpty, !hostPort.hasSuffix(":"), HostAndPort.isValid(hostPort + ":1") || !hostPort.contains(":") {
                throw problem(secure ? "needs a port: turns:HOST:5349 (coturn's TLS port) or turns:HOST:443 (most commercial services)"
                                     : "needs a port: turn:HOST:3478 is the usual one")
            }
            throw problem()
        }
        server = hostPort
        self.text = text
    }

    /// The relay to use: the URL's login, else short-lived credentials from
    /// `secret`; nil when neither is there.
    public func setting(secret: String?) -> TURNServerSetting? {
        if let login {
            return TURNServerSetting(server: server, auth: .password(username: login.username, password: login.password),
                                     transport: transport)
        }
        guard let secret, !secret.isEmpty else { return nil }
        return TURNServerSetting(server: server, auth: .restSecret(secret), transport: transport)
    }

    public var description: String { text }
}

/// How pixelpass talks to a TURN server: the client–server leg only; what
/// the server relays to peers is UDP in every case.
public enum TURNTransport: String, Sendable, Hashable, CaseIterable {
    case udp
    case tcp
    /// TLS over TCP (`turns:`).
    case tls

    /// How the doctor and the logs name it.
    public var label: String {
        switch self {
        case .udp: return "UDP"
        case .tcp: return "TCP"
        case .tls: return "TLS"
        }
    }
}
