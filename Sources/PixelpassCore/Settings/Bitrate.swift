/// The video bitrate in kbit/s: `bitrate` / `--bitrate`.
public typealias Bitrate = BoundedInteger<BitrateBounds>

public enum BitrateBounds: IntegerBounds {
    public static let settingName = "bitrate"
    public static let range = 100...100_000
    public static let unit: String? = "kbit/s"
}
