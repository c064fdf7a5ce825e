import ArgumentParser
import PixelpassCore

/// How a long-running command reports: `text` prints the one line scripts
/// read (ticket or URL) on stdout and progress on stderr; `json` prints one
/// JSON event per line on stdout (schema in the README).
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// Options shared by `host` and `view`.
struct OutputOptions: ParsableArguments {
    @Option(help: "stdout format: text (the ticket or URL line) or json (one event per line, see README).")
    var output: OutputFormat = .text

    @Flag(name: .shortAndLong, help: "Print detailed logs on stderr (what was tried and decided).")
    var verbose = false

    /// Applies the options to the process-wide console.
    func apply() {
        Console.verbose = verbose
    }

    var isJSON: Bool { output == .json }
}
