/// Which H.264 encoder the host asks for.
public enum EncoderChoice: Sendable, Equatable {
    /// Probe the encoders best first and use the first that works;
    /// `allowHardware: false` (`--no-hwencode`) skips the hardware ones.
    case automatic(allowHardware: Bool)
    /// Exactly this GStreamer element, or an error saying why not.
    case named(String)
}
