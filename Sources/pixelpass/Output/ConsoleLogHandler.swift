import Logging

/// Where the library's log lines go: `Console`, which writes them to stderr
/// as `pixelpass: …` (debug lines only with -v), or to the menu's note area.
struct ConsoleLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        switch event.level {
        case .trace, .debug: Console.debug(event.message.description)
        case .info, .notice, .warning: Console.info(event.message.description)
        case .error, .critical: Console.error(event.message.description)
        }
    }
}

extension Logger {
    /// The command line's logger; `-v` lets debug lines through.
    static func console(verbose: Bool = Console.verbose) -> Logger {
        Logger(label: "pixelpass") { _ in ConsoleLogHandler(logLevel: verbose ? .debug : .info) }
    }
}
