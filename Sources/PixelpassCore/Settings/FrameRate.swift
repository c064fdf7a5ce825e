/// Frames per second: `fps` / `--fps`.
public typealias FrameRate = BoundedInteger<FrameRateBounds>

public enum FrameRateBounds: IntegerBounds {
    public static let settingName = "fps"
    public static let range = 1...120
}
