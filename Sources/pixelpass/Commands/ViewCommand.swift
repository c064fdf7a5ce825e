import ArgumentParser
import Foundation
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
        Defaults come from the config file ([view] in pixelpass config path).

        Examples:
          pixelpass pixelpass1-abc…                   watch in mpv (or VLC)
          pixelpass view pixelpass1-abc… --player vlc
          pixelpass view pixelpass1-abc… --player none --port 8080
                                                      then: mpv http://127.0.0.1:8080/
          pixelpass view pixelpass1-abc… --output json
        """
    )

    @Argument(help: "The ticket your friend sent (pixelpass1-…).")
    var ticket: String

    @Option(help: "Player to open: mpv, vlc or none (default: [view] player in the config, else mpv if installed, else vlc, else none).")
    var player: PlayerChoice?

    @Option(help: "Local port for the stream URL (default: [view] port in the config, else a free port).")
    var port: Int?

    @OptionGroup var outputOptions: OutputOptions

    private var effectivePort: Int { port ?? ConfigDefaults.values.view.port ?? 0 }
    private var effectivePlayer: PlayerChoice { player ?? ConfigDefaults.values.view.player ?? PlayerChoice.automatic() }

    func validate() throws {
        try ConfigDefaults.check()
        _ = try TicketArgument.parse(ticket)
        if let port, !(1...65535).contains(port) {
            throw ValidationError("--port must be between 1 and 65535 (got \(port))")
        }
    }

    /// What the event loop and timers tell the main thread.
    private enum Event {
        case ready(Viewer, url: String)
        case failed(Error)
        case ended(ViewerEnd)
        case statsDue
    }

    func run() throws {
        outputOptions.apply()
        let json = outputOptions.isJSON
        let parsed = try TicketArgument.parse(ticket)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let events = MainThreadEvents<Event>()

        let target = parsed.addresses.map(\.description).joined(separator: ", ")
        let spinner = json ? nil : Spinner.start("connecting to \(target) …")
        if spinner == nil { Console.info("connecting to \(target) …") }
        Viewer.connect(parsed, on: group.next())
            .flatMap { viewer in
                viewer.startRelay(port: effectivePort) { end in events.post(.ended(end)) }
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
        let first = events.next()
        spinner?.stop()
        switch first {
        case .interrupted:
            Console.info("stopped before the connection was made")
            if json { EventLine.ended("interrupted", exitStatus: .success) }
            return
        case .event(.failed(let error)):
            let viewerError = error as? ViewerError
            let status = viewerError.flatMap { ExitStatus(rawValue: $0.exitCode) } ?? .failure
            let message = viewerError?.description ?? "\(error)"
            Console.error(message)
            if json {
                EventLine.error(message, exitStatus: status)
                EventLine.ended("error", exitStatus: status)
            }
            throw status.exitCode
        case .event(.ended), .event(.statsDue):
            return
        case .event(.ready(let connected, let url)):
            viewer = connected
            if json {
                EventLine.emit("listening", [("url", .string(url))])
                EventLine.emit("path_changed", [("address", .string(viewer.hostAddress)), ("path", .string(viewer.path.rawValue))])
            } else {
                Console.output(url)
            }
            Console.info("connected to \(viewer.hostAddress) (\(viewer.path == .relayed ? "through the TURN relay" : "direct")); the stream is at \(url)")
            openPlayer(url: url, json: json)
        }

        let ticker = json ? Ticker(every: 1) { events.post(.statsDue) } : nil
        defer { ticker?.cancel() }
        var meter = BitrateMeter<Int>()
        var lastPath = viewer.path
        while true {
            let (reason, code): (String, ExitStatus)
            switch events.next() {
            case .interrupted:
                Console.info("stopping")
                (reason, code) = ("interrupted", .success)
            case .event(.ended(.hostEnded)):
                Console.info("the host ended the share")
                (reason, code) = ("host_ended", .success)
            case .event(.ended(.removedByHost)):
                Console.error("the host removed you from the share. Ask your friend if you want to watch again.")
                (reason, code) = ("removed", .refused)
            case .event(.ended(.lostContact(let detail))):
                Console.error("lost contact with the host (\(detail)). The share may have stopped or the network dropped; ask for a fresh ticket if it does not come back.")
                (reason, code) = ("lost_contact", .unreachable)
            case .event(.ended(.local)):
                (reason, code) = ("closed", .success)
            case .event(.statsDue):
                guard let status = try? viewer.status().wait() else { continue }
                if status.path != lastPath {
                    lastPath = status.path
                    EventLine.emit("path_changed", [("address", .string(status.hostAddress)), ("path", .string(status.path.rawValue))])
                }
                let rate = meter.sample(0, bytes: status.bytesReceived, at: ProcessInfo.processInfo.systemUptime) ?? 0
                EventLine.emit("stats", [("address", .string(status.hostAddress)), ("path", .string(status.path.rawValue)),
                                         ("rtt_ms", .double(status.roundTripMilliseconds)),
                                         ("bitrate_kbps", .double(rate / 1000)),
                                         ("bytes_received", .int(status.bytesReceived)),
                                         ("players", .int(status.players))])
                continue
            case .event(.ready), .event(.failed):
                continue
            }
            try? viewer.close().wait()
            if json { EventLine.ended(reason, exitStatus: code) }
            if code != .success { throw code.exitCode }
            return
        }
    }

    private func openPlayer(url: String, json: Bool) {
        let choice = effectivePlayer
        switch PlayerLauncher.launch(choice, url: url) {
        case .success(let launched):
            Console.info("opened the player: \(launched.command)")
            if json { EventLine.emit("player_opened", [("player", .string(choice.rawValue)), ("pid", .int(Int(launched.pid)))]) }
        case .failure(.notRequested):
            Console.info("open it with: \(PlayerLauncher.suggestedCommand(url: url))")
        case .failure(let error):
            Console.error("\(error). Open the stream yourself with: \(PlayerLauncher.suggestedCommand(url: url))")
            if json { EventLine.emit("player_failed", [("player", .string(choice.rawValue)), ("message", .string("\(error)"))]) }
        }
    }
}

extension PlayerChoice: ExpressibleByArgument {}
