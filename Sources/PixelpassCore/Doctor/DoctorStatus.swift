/// How one doctor check came out.
public enum DoctorStatus: String, Equatable, Sendable, CaseIterable {
    /// Works.
    case ok
    /// Something is missing, but sharing still works (no audio, no
    /// hardware encoding, no player, no clipboard).
    case warning
    /// Sharing cannot work until this is fixed.
    case fail
    /// A neutral fact: an alternative that is unavailable while another one
    /// works (e.g. a hardware encoder on a machine without that hardware).
    case info

    /// The word in the table; all four are four letters so columns align.
    public var word: String {
        switch self {
        case .ok: return "OK"
        case .warning: return "WARN"
        case .fail: return "FAIL"
        case .info: return "INFO"
        }
    }
}
