import Foundation

/// The command line of pixelpass-latency-probe. The probe is a benchmark
/// helper, not a user command, so it parses by hand instead of pulling in
/// ArgumentParser.
struct ProbeOptions: Equatable {
    enum HTTPSource: String, CaseIterable {
        /// libsoup's souphttpsrc with is-live=true.
        case soup
        /// libcurl's curlhttpsrc.
        case curl
    }

    var url: String
    /// How long to measure after the first decoded frame.
    var seconds: Double = 20
    /// Longest wait for the first decoded frame.
    var firstFrameTimeout: Double = 15
    var json = false
    /// Width of the windows of the drift table, in seconds.
    var window: Double = 10
    var http = HTTPSource.soup
    /// CLOCK_REALTIME in nanoseconds when the caller started the viewer, so
    /// time to first frame can be reported from there as well.
    var sinceEpochNanoseconds: UInt64?
    /// Print one line per decoded frame, HTTP read and decoder input on stderr.
    var verbose = false
    /// A gst-launch description replacing the built-in decode chain, to
    /// compare chains; "URL" in it is replaced by the URL. It needs an
    /// appsink named sink and may name its HTTP source src and decoder dec.
    var pipeline: String?

    static let usage = """
        usage: pixelpass-latency-probe URL [--seconds N] [--json] [--window SECONDS]
                                       [--http soup|curl] [--since-epoch-ns NS]
                                       [--first-frame-timeout SECONDS] [--verbose]
                                       [--pipeline GST-LAUNCH-DESCRIPTION]

        Decodes the MPEG-TS stream at URL (a pixelpass viewer's local URL, host
        started with --source clock), reads the capture time painted into every
        frame and prints capture→decoded latency, time to first frame, frames
        decoded vs produced and the bitrate. --seconds counts from the first
        decoded frame. --since-epoch-ns is `date +%s%N` taken when the viewer
        was started; time to first frame is then also reported from there.
        --verbose prints every decoded frame, HTTP read and decoder input on
        stderr (CLOCK_MONOTONIC µs first). --pipeline replaces the decode chain
        for comparisons: "URL" in it becomes the URL; it needs an appsink named
        sink and may name its HTTP source src and its decoder dec.
        """

    enum ParseError: Error, CustomStringConvertible {
        case message(String)
        var description: String {
            switch self {
            case let .message(text): return text
            }
        }
    }

    init(url: String) {
        self.url = url
    }

    init(arguments: [String]) throws {
        var url: String?
        var options = ProbeOptions(url: "")
        var rest = arguments[...]
        func value(for flag: String) throws -> String {
            guard let next = rest.popFirst() else { throw ParseError.message("\(flag) needs a value") }
            return next
        }
        func seconds(for flag: String, atLeast minimum: Double) throws -> Double {
            let text = try value(for: flag)
            guard let number = Double(text), number >= minimum, number.isFinite else {
                throw ParseError.message("\(flag) must be a number of seconds ≥ \(minimum) (got \"\(text)\")")
            }
            return number
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--seconds", "--duration":
                options.seconds = try seconds(for: argument, atLeast: 0.1)
            case "--window":
                options.window = try seconds(for: argument, atLeast: 0.5)
            case "--first-frame-timeout":
                options.firstFrameTimeout = try seconds(for: argument, atLeast: 0.1)
            case "--json":
                options.json = true
            case "--verbose":
                options.verbose = true
            case "--http":
                let text = try value(for: argument)
                guard let source = HTTPSource(rawValue: text) else {
                    throw ParseError.message("--http must be soup or curl (got \"\(text)\")")
                }
                options.http = source
            case "--pipeline":
                options.pipeline = try value(for: argument)
            case "--since-epoch-ns":
                let text = try value(for: argument)
                guard let nanoseconds = UInt64(text) else {
                    throw ParseError.message("--since-epoch-ns must be an integer, e.g. from `date +%s%N` (got \"\(text)\")")
                }
                options.sinceEpochNanoseconds = nanoseconds
            case "-h", "--help":
                throw ParseError.message(Self.usage)
            default:
                guard !argument.hasPrefix("-"), url == nil else {
                    throw ParseError.message("unexpected argument \"\(argument)\"\n\n\(Self.usage)")
                }
                url = argument
            }
        }
        guard let url, url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw ParseError.message("give the stream URL, e.g. http://127.0.0.1:8080/\n\n\(Self.usage)")
        }
        options.url = url
        self = options
    }
}
