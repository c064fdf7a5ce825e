/// `bitrate_mode` / `--bitrate-mode`: how the host's video bitrate is chosen.
public enum BitrateMode: String, NamedSetting {
    /// Follow what the viewers' links take, up to the ceiling (`--bitrate`).
    case adaptive
    /// Always encode at `--bitrate`.
    case fixed

    public static let settingName = "bitrate_mode"
}
