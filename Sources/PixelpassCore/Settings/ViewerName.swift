/// The name a viewer shows the host (`view --name`, `[view] name`, else
/// the login name). The host reads it from the network, so it is cleaned
/// the same way on both sides: printable characters only, at most 32.
public struct ViewerName: TextSetting, Equatable, CustomStringConvertible {
    public static let maximumLength = 32
    public static let settingName = "name"
    public static let requirement = "must be 1 to \(maximumLength) printable characters, e.g. \"alice\""
    public let text: String

    /// nil when nothing printable is left.
    public init?(cleaning raw: String) {
        let printable = raw.unicodeScalars.filter { scalar in
            !scalar.properties.isWhitespace || scalar == " "
        }.filter { scalar in
            switch scalar.properties.generalCategory {
            case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator: return false
            default: return true
            }
        }
        var text = String(String.UnicodeScalarView(printable))
        while text.hasPrefix(" ") { text.removeFirst() }
        while text.hasSuffix(" ") { text.removeLast() }
        guard !text.isEmpty else { return nil }
        self.text = String(text.prefix(Self.maximumLength))
    }

    /// A name given on the command line or in the config: one that would
    /// be cut or emptied is an error rather than a surprise.
    public init(validating raw: String) throws(SettingError) {
        guard let cleaned = ViewerName(cleaning: raw), cleaned.text == raw else {
            throw SettingError(setting: Self.settingName, requirement: Self.requirement, got: SettingError.quoted(raw))
        }
        self = cleaned
    }

    /// The login name, else nil (then the host shows the id alone).
    public static func login(environment: [String: String]) -> ViewerName? {
        for key in ["PIXELPASS_NAME", "USER", "LOGNAME"] {
            if let value = environment[key], let name = ViewerName(cleaning: value) { return name }
        }
        return nil
    }

    public var description: String { text }
}
