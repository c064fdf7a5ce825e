/// `source` / `--source`: what the host captures.
public enum CaptureSourceName: String, NamedSetting {
    case auto, x11, portal, pipewire, test, clock, busy

    public static let settingName = "source"

    /// The built-in sources that bring their own test tone, so no system
    /// or application audio goes with them.
    public var isSynthetic: Bool {
        switch self {
        case .test, .clock, .busy: return true
        case .auto, .x11, .portal, .pipewire: return false
        }
    }
}
