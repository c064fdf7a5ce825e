internal import CNgtcp2

/// The congestion controllers ngtcp2 0.12.1 offers. `standard` is the one
/// pixelpass uses; the others remain for `scripts/bench-adapt`, which
/// compares them on shaped and lossy lab links (`PIXELPASS_CC`).
public enum QUICCongestionControl: String, CaseIterable, Sendable {
    case reno, cubic, bbr, bbr2

    /// Chosen by measurement in the lab (see README "Adaptive bitrate").
    public static let standard = QUICCongestionControl.cubic

    var ngtcp2Algorithm: ngtcp2_cc_algo {
        switch self {
        case .reno: return NGTCP2_CC_ALGO_RENO
        case .cubic: return NGTCP2_CC_ALGO_CUBIC
        case .bbr: return NGTCP2_CC_ALGO_BBR
        case .bbr2: return NGTCP2_CC_ALGO_BBR2
        }
    }
}
