import PixelpassCore

/// The watch as plain text: progress on stderr (also under `--output json`),
/// and, unless JSON is on stdout, the stream URL alone on stdout.
struct ViewTextRenderer {
    var printsURL: Bool
    /// A spinner while connecting (only ever on a terminal).
    var spins: Bool
    private var spinner: Spinner?
    private var connected = false

    init(printsURL: Bool, spins: Bool) {
        self.printsURL = printsURL
        self.spins = spins
    }

    mutating func render(_ event: ViewSessionEvent) {
        spinner?.stop()
        spinner = nil
        switch event {
        case .connecting(let target):
            let text = "connecting to \(target) …"
            spinner = spins ? Spinner.start(text) : nil
            if spinner == nil { Console.info(text) }
        case .connected(let url, let address, let path):
            connected = true
            if printsURL { Console.output(url) }
            Console.info("connected to \(address) (\(path == .relayed ? "through the TURN relay" : "direct")); the stream is at \(url)")
        case .playerOpened(_, let launched):
            Console.info("opened the player: \(launched.command)")
        case .playerFailed(_, .notRequested, let url):
            Console.info("open it with: \(PlayerLauncher.suggestedCommand(url: url))")
        case .playerFailed(_, let error, let url):
            Console.error("\(error). Open the stream yourself with: \(PlayerLauncher.suggestedCommand(url: url))")
        case .hostVideo(let video) where video.keyframesOnly:
            Console.info("your link to the host is below what it sends everyone (\(video.summary)): you get keyframes only, so fewer pictures")
        case .hostVideo(let video):
            Console.info("the host sends \(video.summary)")
        case .pathChanged, .playerClosed, .stats:
            break  // the viewer logs a move to a direct path itself
        case .error(let error):
            Console.error(error.description)
        case .ended(let end):
            describe(end)
        }
    }

    private func describe(_ end: ViewSessionEnd) {
        switch end {
        case .interrupted:
            Console.info(connected ? "stopping" : "stopped before the connection was made")
        case .hostEnded:
            Console.info("the host ended the share")
        case .removed:
            Console.error("the host removed you from the share. Ask your friend if you want to watch again.")
        case .lostContact(let detail):
            Console.error("lost contact with the host (\(detail)). The share may have stopped or the network dropped; ask for a fresh ticket if it does not come back.")
        case .closed, .failed:
            break  // nothing to add: closed by us, or the error was said
        }
    }
}
