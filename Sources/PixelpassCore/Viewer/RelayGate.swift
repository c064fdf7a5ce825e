/// What every connection of one relay shares: the URL's token and the
/// count of connections and streams. Lives on the relay's event loop.
final class RelayGate {
    let token: RelayToken
    var admission: RelayAdmission
    var limits: RelayLimits { admission.limits }

    init(token: RelayToken = .random(), limits: RelayLimits = RelayLimits()) {
        self.token = token
        admission = RelayAdmission(limits: limits)
    }
}

@available(*, unavailable)
extension RelayGate: Sendable {}
