/// Failures setting up QUIC, translated from ngtcp2 return codes once, where
/// the call failed (`QUICConnection+Errors.swift`).
public enum QUICError: Error, CustomStringConvertible, Equatable, Sendable {
    /// An ngtcp2 call failed; `message` is the library's own words.
    case library(call: String, message: String)

    public var description: String {
        switch self {
        case .library(let call, let message):
            return "\(call) failed: \(message)"
        }
    }
}
