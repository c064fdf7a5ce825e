#if canImport(Glibc)
import Glibc
#endif

/// ANSI colours, only on a terminal and never with NO_COLOR (no-color.org)
/// or TERM=dumb.
public struct TextStyle: Sendable, Equatable {
    public let enabled: Bool

    public init(enabled: Bool) { self.enabled = enabled }

    /// Colour for the stream on `descriptor`, given the environment.
    public static func detect(descriptor: Int32, environment: [String: String]) -> TextStyle {
        TextStyle(enabled: isatty(descriptor) == 1 && colourAllowed(environment))
    }

    public static func colourAllowed(_ environment: [String: String]) -> Bool {
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
        return environment["TERM"] != "dumb"
    }

    public func bold(_ text: String) -> String { wrap(text, "1") }
    public func dim(_ text: String) -> String { wrap(text, "2") }
    public func inverse(_ text: String) -> String { wrap(text, "7") }
    public func red(_ text: String) -> String { wrap(text, "31") }
    public func green(_ text: String) -> String { wrap(text, "32") }
    public func yellow(_ text: String) -> String { wrap(text, "33") }
    public func cyan(_ text: String) -> String { wrap(text, "36") }

    private func wrap(_ text: String, _ code: String) -> String {
        enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
