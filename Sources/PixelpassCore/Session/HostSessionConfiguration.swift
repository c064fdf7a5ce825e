/// One share, fully decided: what the front end (flags and config file, or
/// the menu's choices) asked for.
public struct HostSessionConfiguration {
    public var host: HostConfiguration
    /// Send only this application's audio (PipeWire); nil: system audio as configured.
    public var application: String?
    /// Seconds between `stats` events.
    public var statsInterval: Double = 1

    public init(host: HostConfiguration, application: String? = nil) {
        self.host = host
        self.application = application
    }
}
