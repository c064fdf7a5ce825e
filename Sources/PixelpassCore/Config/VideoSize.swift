/// A video size as written in a config file: "WIDTHxHEIGHT", even numbers
/// (H.264 with 4:2:0 chroma needs them), within what encoders accept.
public struct VideoSize: Equatable, Sendable, CustomStringConvertible {
    public static let widths = 16...7680
    public static let heights = 16...4320

    public let width: Int
    public let height: Int

    public init?(width: Int, height: Int) {
        guard Self.widths.contains(width), Self.heights.contains(height),
              width % 2 == 0, height % 2 == 0 else { return nil }
        self.width = width
        self.height = height
    }

    /// "1280x720" (an upper-case X is accepted too).
    public init?(parsing text: String) {
        let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2,
              parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let width = Int(parts[0]), let height = Int(parts[1]) else { return nil }
        self.init(width: width, height: height)
    }

    public var description: String { "\(width)x\(height)" }
}
