/// `size` / `--size`: "WIDTHxHEIGHT", even numbers (H.264 with 4:2:0 chroma
/// needs them), within what encoders accept.
public struct VideoSize: TextSetting, Equatable, CustomStringConvertible {
    public static let settingName = "size"
    public static let widths = 16...7680
    public static let heights = 16...4320

    public static let requirement = "must be \"WIDTHxHEIGHT\" with even numbers, width \(widths.lowerBound)-\(widths.upperBound) "
        + "and height \(heights.lowerBound)-\(heights.upperBound), e.g. \"1280x720\""

    public let width: Int
    public let height: Int

    public init?(width: Int, height: Int) {
        guard Self.widths.contains(width), Self.heights.contains(height),
              width % 2 == 0, height % 2 == 0 else { return nil }
        self.width = width
        self.height = height
    }

    /// "1280x720" (an upper-case X is accepted too): two runs of digits
    /// around one x, nothing else.
    public init(validating text: String) throws(SettingError) {
        let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2,
              parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let width = Int(parts[0]), let height = Int(parts[1]),
              let size = VideoSize(width: width, height: height) else {
            throw SettingError(setting: Self.settingName, requirement: Self.requirement, got: SettingError.quoted(text))
        }
        self = size
    }

    /// `init(validating:)`, without saying why not.
    public init?(parsing text: String) {
        guard let size = try? VideoSize(validating: text) else { return nil }
        self = size
    }

    public var description: String { "\(width)x\(height)" }
}
