import ArgumentParser
import NIOCore
import NIOPosix
import PixelpassCore
import PixelpassTicket

struct ViewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "view",
        abstract: "Watch a share: prints a local URL on stdout and opens a player.",
        discussion: """
        The URL (http://127.0.0.1:PORT/) is the first line of stdout; any player
        that reads MPEG-TS over HTTP can open it, as often as you like.
        """
    )

    @Argument(help: "The ticket your friend sent (pixelpass1-…).")
    var ticket: String

    @Option(help: "Player to open: mpv, vlc or none (default: mpv if installed, else vlc, else none).")
    var player: PlayerChoice?

    @Option(help: "Local port for the stream URL (default: a free port).")
    var port: Int?

    func validate() throws {
        _ = try TicketArgument.parse(ticket)
        if let port, !(1...65535).contains(port) {
            throw ValidationError("--port must be between 1 and 65535 (got \(port))")
        }
    }

    /// What the event loop tells the main thread.
    private enum Event {
        case ready(Viewer, url: String)
        case failed(Error)
        case ended(ViewerEnd)
    }

    func run() throws {
        let parsed = try TicketArgument.parse(ticket)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let events = MainThreadEvents<Event>()

        Console.info("connecting to \(parsed.addresses.map(\.description).joined(separator: ", ")) …")
        Viewer.connect(parsed, on: group.next())
            .flatMap { viewer in
                viewer.startRelay(port: port ?? 0) { end in events.post(.ended(end)) }
                    .map { url in (viewer, url) }
            }
            .whenComplete { result in
                switch result {
                case .success(let (viewer, url)): events.post(.ready(viewer, url: url))
                case .failure(let error): events.post(.failed(error))
                }
            }

        // Until connected, Ctrl-C simply stops trying.
        let viewer: Viewer
        switch events.next() {
        case .interrupted:
            Console.info("stopped before the connection was made")
            return
        case .event(.failed(let error as ViewerError)):
            Console.error(error.description)
            throw ExitCode(error.exitCode)
        case .event(.failed(let error)):
            Console.error("\(error)")
            throw ExitCode.failure
        case .event(.ended):
            return
        case .event(.ready(let connected, let url)):
            viewer = connected
            Console.output(url)
            Console.info("connected to \(viewer.hostAddress); the stream is at \(url)")
            openPlayer(url: url)
        }

        while true {
            switch events.next() {
            case .interrupted:
                Console.info("stopping")
                try? viewer.close().wait()
                return
            case .event(.ended(.hostEnded)):
                Console.info("the host ended the share")
                try? viewer.close().wait()
                return
            case .event(.ended(.lostContact(let detail))):
                Console.error("lost contact with the host (\(detail)). The share may have stopped or the network dropped; ask for a fresh ticket if it does not come back.")
                try? viewer.close().wait()
                throw ExitCodes.unreachable
            case .event(.ended(.local)):
                try? viewer.close().wait()
                return
            case .event(.ready), .event(.failed):
                continue
            }
        }
    }

    private func openPlayer(url: String) {
        let choice = player ?? PlayerChoice.automatic()
        switch PlayerLauncher.launch(choice, url: url) {
        case .success(let command):
            Console.info("opened the player: \(command)")
        case .failure(.notRequested):
            Console.info("open it with: \(PlayerLauncher.suggestedCommand(url: url))")
        case .failure(let error):
            Console.error("\(error). Open the stream yourself with: \(PlayerLauncher.suggestedCommand(url: url))")
        }
    }
}

extension PlayerChoice: ExpressibleByArgument {}
