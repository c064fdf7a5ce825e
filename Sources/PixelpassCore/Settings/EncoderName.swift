import PixelpassMedia

/// `encoder` / `--encoder`: `auto`, or one H.264 encoder by its GStreamer
/// element name. The names are `VideoEncoder`'s, the list the pipeline
/// knows how to set up, so no other list of encoder names exists.
public enum EncoderName: Hashable, Sendable {
    case auto
    case element(VideoEncoder)

    /// A hardware encoder, which `hwencode = false` / `--no-hwencode` rules out.
    public var isHardware: Bool {
        switch self {
        case .auto: return false
        case .element(let encoder): return encoder.isHardware
        }
    }

    /// What the pipeline is asked for. `allowHardware` is `hwencode`; a
    /// hardware encoder named together with it off is a contradiction the
    /// caller reports in its own terms (a key's line, or the two flags).
    public func choice(allowHardware: Bool) -> EncoderChoice {
        switch self {
        case .auto: return .automatic(allowHardware: allowHardware)
        case .element(let encoder): return .named(encoder.name)
        }
    }
}

extension EncoderName: NamedSetting {
    public static let settingName = "encoder"

    public static var allCases: [EncoderName] { [.auto] + VideoEncoder.allCases.map(EncoderName.element) }

    public init?(rawValue: String) {
        if rawValue == "auto" {
            self = .auto
        } else if let encoder = VideoEncoder(rawValue: rawValue) {
            self = .element(encoder)
        } else {
            return nil
        }
    }

    public var rawValue: String {
        switch self {
        case .auto: return "auto"
        case .element(let encoder): return encoder.name
        }
    }
}

extension EncoderName {
    // Each encoder as a member, so `.x264enc` reads as it did when the
    // config's encoder was an enum of names. The compiler ties each to a
    // `VideoEncoder` case; `allCases` comes from `VideoEncoder` alone.
    public static let vah264enc = EncoderName.element(.vah264enc)
    public static let vaapih264enc = EncoderName.element(.vaapih264enc)
    public static let nvh264enc = EncoderName.element(.nvh264enc)
    public static let x264enc = EncoderName.element(.x264enc)
    public static let openh264enc = EncoderName.element(.openh264enc)
}
