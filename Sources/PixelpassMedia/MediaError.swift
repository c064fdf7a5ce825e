/// Everything that can go wrong in the media pipeline, translated once at the
/// GStreamer boundary. `description` is one sentence that says what to do.
public enum MediaError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A GStreamer element is not installed.
    case missingElement(name: String, debianPackage: String)
    /// GStreamer reported an error while building or running the pipeline;
    /// the associated text carries GStreamer's own message.
    case pipelineFailed(String)
    /// The settings are outside what the pipeline supports.
    case invalidSettings(String)
    /// `start` was called while the pipeline was already running.
    case alreadyRunning

    public var description: String {
        switch self {
        case let .missingElement(name, debianPackage):
            return "The GStreamer element '\(name)' is missing; install it with 'sudo apt install \(debianPackage)'."
        case let .pipelineFailed(message):
            return "The media pipeline failed (\(message)); check that the GStreamer plugins are installed and working, for example with 'gst-inspect-1.0'."
        case let .invalidSettings(message):
            return message
        case .alreadyRunning:
            return "The media pipeline is already running; stop it before starting it again."
        }
    }
}
