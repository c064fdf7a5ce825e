import ArgumentParser
import NIOCore
import NIOPosix
import PixelpassCore
import PixelpassMedia

struct HostCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "host",
        abstract: "Share your screen: prints a ticket on stdout, serves viewers until Ctrl-C.",
        discussion: """
        The ticket is the first line of stdout; progress goes to stderr.
        Third-party HTTP/3 clients can fetch the stream at
        https://ADDRESS:PORT/v1/stream?secret=SECRET (see: pixelpass ticket inspect).
        """
    )

    enum Source: String, ExpressibleByArgument, CaseIterable {
        case test
    }

    @Option(help: "What to capture: \(Source.allCases.map(\.rawValue).joined(separator: ", ")) (a moving test pattern with a clock and a tone).")
    var source: Source = .test

    @Flag(help: "Send video only.")
    var noAudio = false

    @Option(help: "UDP address and port to listen on, e.g. 0.0.0.0:4433 (default: all interfaces, a free port).")
    var bind: String = "0.0.0.0:0"

    @Option(help: "Video size, WIDTHxHEIGHT.")
    var size: String = "1280x720"

    @Option(help: "Frames per second (1-120).")
    var fps: Int = 30

    @Option(help: "Video bitrate in kbit/s (100-100000).")
    var bitrate: Int = 4000

    @Option(help: "Most viewers at once; the next one is turned away.")
    var maxViewers: Int = 4

    func validate() throws {
        _ = try parsedBind()
        _ = try parsedSize()
        guard (1...120).contains(fps) else { throw ValidationError("--fps must be between 1 and 120 (got \(fps))") }
        guard (100...100_000).contains(bitrate) else {
            throw ValidationError("--bitrate is in kbit/s and must be between 100 and 100000 (got \(bitrate))")
        }
        guard (1...64).contains(maxViewers) else { throw ValidationError("--max-viewers must be between 1 and 64") }
    }

    func parsedSize() throws -> (Int, Int) {
        let parts = size.lowercased().split(separator: "x")
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]),
              (16...7680).contains(w), (16...4320).contains(h), w % 2 == 0, h % 2 == 0 else {
            throw ValidationError("--size must be WIDTHxHEIGHT with even numbers, e.g. 1280x720 (got \"\(size)\")")
        }
        return (w, h)
    }

    func parsedBind() throws -> SocketAddress {
        guard let address = AddressArgument.parse(bind) else {
            throw ValidationError("--bind must be ADDRESS:PORT, e.g. 0.0.0.0:4433 or [::]:4433 (got \"\(bind)\")")
        }
        return address
    }

    func run() throws {
        let (width, height) = try parsedSize()
        var configuration = HostConfiguration(
            bind: try parsedBind(),
            media: MediaSettings(width: width, height: height, fps: fps, bitrateKbps: bitrate, audio: !noAudio))
        configuration.maxViewers = maxViewers

        GStreamer.initialize()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let events = MainThreadEvents<Never>()
        let host: Host
        do {
            host = try Host.start(configuration, on: group.next())
        } catch {
            Console.error("\(error)")
            throw ExitCode.failure
        }
        Console.output(host.ticket.encoded())
        let addresses = host.ticket.addresses.map(\.description).joined(separator: ", ")
        Console.info("sharing the test source on \(addresses); send the ticket above to a friend, who runs: pixelpass TICKET")
        Console.info("press Ctrl-C to stop sharing")
        _ = events.next()
        Console.info("stopping: closing viewers")
        try? host.shutdown().wait()
    }
}

/// "1.2.3.4:5", "[::1]:5" → a socket address.
enum AddressArgument {
    static func parse(_ text: String) -> SocketAddress? {
        let host: Substring
        let port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        }
        guard let portNumber = Int(port), (0...65535).contains(portNumber) else { return nil }
        return try? SocketAddress(ipAddress: String(host), port: portNumber)
    }
}
