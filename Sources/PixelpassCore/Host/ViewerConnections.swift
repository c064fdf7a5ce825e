/// Which connections the host keeps. Pure: the host reports connections
/// and authorised requests and closes what this refuses.
///
/// - At most `perCertificate` connections per viewer certificate: one ticket
///   holder cannot fill the host with connections (the stream and seat caps
///   then stay fair).
/// - A connection that has made no authorised request within a few seconds
///   of its handshake is closed (`needsAuthorisation`): strangers without
///   the ticket are not kept alive by the host's own keep-alives.
struct ViewerConnections<Key: Hashable> {
    let perCertificate: Int
    private var certificates: [Key: String] = [:]
    private var counts: [String: Int] = [:]
    private var authorisedKeys: Set<Key> = []

    init(perCertificate: Int) {
        self.perCertificate = perCertificate
    }

    /// A handshake completed; false when that certificate already has its
    /// share of connections (close this one).
    mutating func connected(_ key: Key, certificate: String) -> Bool {
        guard counts[certificate, default: 0] < perCertificate else { return false }
        certificates[key] = certificate
        counts[certificate, default: 0] += 1
        return true
    }

    /// True the first time: the connection has just shown it holds the ticket.
    @discardableResult
    mutating func authorised(_ key: Key) -> Bool {
        guard certificates[key] != nil else { return false }
        return authorisedKeys.insert(key).inserted
    }

    /// Still open and never authorised: close it.
    func needsAuthorisation(_ key: Key) -> Bool {
        certificates[key] != nil && !authorisedKeys.contains(key)
    }

    func isAuthorised(_ key: Key) -> Bool { authorisedKeys.contains(key) }

    mutating func disconnected(_ key: Key) {
        authorisedKeys.remove(key)
        guard let certificate = certificates.removeValue(forKey: key) else { return }
        counts[certificate, default: 1] -= 1
        if counts[certificate] == 0 { counts[certificate] = nil }
    }
}
