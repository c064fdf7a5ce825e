import CNgtcp2

/// Failures setting up QUIC, translated from ngtcp2 return codes.
public enum QUICError: Error, CustomStringConvertible {
    case library(String, Int32)

    public var description: String {
        switch self {
        case .library(let call, let code):
            return "\(call) failed: \(String(cString: ngtcp2_strerror(code)))"
        }
    }
}
