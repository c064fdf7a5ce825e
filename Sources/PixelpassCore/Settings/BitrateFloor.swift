/// `bitrate_floor` / `--bitrate-floor`: in kbit/s, the slowest viewer link
/// the adaptive rate follows down to; a slower viewer gets keyframes only.
public typealias BitrateFloor = BoundedInteger<BitrateFloorBounds>

public enum BitrateFloorBounds: IntegerBounds {
    public static let settingName = "bitrate_floor"
    public static let range = 100...100_000
    public static let unit: String? = "kbit/s"
}
