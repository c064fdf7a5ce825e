/// The name, range and unit of an integer setting (`BoundedInteger`).
public protocol IntegerBounds: Sendable {
    /// The setting as the config file names it: "bitrate".
    static var settingName: String { get }
    static var range: ClosedRange<Int> { get }
    /// Said after the range: "kbit/s".
    static var unit: String? { get }
}

extension IntegerBounds {
    public static var unit: String? { nil }
}
