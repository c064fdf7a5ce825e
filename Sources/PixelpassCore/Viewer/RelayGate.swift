/// What every connection of one relay shares: the URL's token and the
/// count of connections and streams. Lives on the relay's event loop.
final class RelayGate {
    let token: RelayToken
    let limits: RelayLimits
    var admission: RelayAdmission

    init(token: RelayToken = .random(), limits: RelayLimits = RelayLimits()) {
        self.token = token
        self.limits = limits
        admission = RelayAdmission(limits: limits)
    }
}

@available(*, unavailable)
extension RelayGate: Sendable {}
