/// The most viewers at once: `max_viewers` / `--max-viewers`.
public typealias ViewerLimit = BoundedInteger<ViewerLimitBounds>

public enum ViewerLimitBounds: IntegerBounds {
    public static let settingName = "max_viewers"
    public static let range = 1...64
}
