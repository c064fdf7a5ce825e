import Logging

extension Logger {
    /// Says nothing: the default of configurations, and for tests and the
    /// doctor's probes. The command line injects the one that writes.
    public static let silent = Logger(label: "pixelpass", factory: { _ in SwiftLogNoOpLogHandler() })
}
