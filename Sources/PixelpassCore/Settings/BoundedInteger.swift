/// An integer setting within its range (`Bitrate`, `FrameRate`,
/// `ViewerLimit`, `RelayPort`): the range is checked here and nowhere else.
public struct BoundedInteger<Bounds: IntegerBounds>: Hashable, Sendable, CustomStringConvertible {
    public let value: Int

    /// "must be an integer between 100 and 100000, in kbit/s".
    public static var requirement: String {
        let unit = Bounds.unit.map { ", in \($0)" } ?? ""
        return "must be an integer between \(Bounds.range.lowerBound) and \(Bounds.range.upperBound)\(unit)"
    }

    public init(_ value: Int) throws(SettingError) {
        guard Bounds.range.contains(value) else { throw Self.error(got: String(value)) }
        self.value = value
    }

    /// A number as text (a flag's value), in its range.
    public init(validating text: String) throws(SettingError) {
        guard let value = Int(text) else { throw Self.error(got: SettingError.quoted(text)) }
        try self.init(value)
    }

    static func error(got: String) -> SettingError {
        SettingError(setting: Bounds.settingName, requirement: requirement, got: got)
    }

    public var description: String { String(value) }
}
