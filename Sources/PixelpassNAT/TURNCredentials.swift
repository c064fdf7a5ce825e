/// What a TURN client authenticates with: long-term credentials (RFC 8489
/// §9.2), either configured or minted from coturn's REST-API shared secret.
public struct TURNCredentials: Hashable, Sendable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// coturn's time-limited credentials (`use-auth-secret` /
    /// `static-auth-secret`): username "<expiry unix time>:<name>", password
    /// base64(HMAC-SHA1(secret, username)). Anyone holding them can use the
    /// relay until the expiry, so they can travel in a ticket.
    /// - Parameters:
    ///   - validFor: seconds from `now` until coturn stops accepting them.
    ///   - now: wall-clock time in seconds since 1970 (not the monotonic clock).
    public static func rest(secret: String, name: String, validFor: UInt64, now: UInt64) -> TURNCredentials {
        let expiry = now + validFor
        let username = name.isEmpty ? "\(expiry)" : "\(expiry):\(name)"
        let mac = Crypto.hmacSHA1(key: Array(secret.utf8), data: Array(username.utf8))
        return TURNCredentials(username: username, password: Base64.encode(mac))
    }

    /// The MESSAGE-INTEGRITY key for the realm the server named.
    public func key(realm: String) -> STUNKey {
        STUNKey.longTerm(username: username, realm: realm, password: password)
    }
}
