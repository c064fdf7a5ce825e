import ArgumentParser
import Foundation
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

    @OptionGroup var dhtOptions: DHTOptions

    @OptionGroup var outputOptions: OutputOptions

    private var effectivePort: Int { port ?? ConfigDefaults.values.view.port ?? 0 }
    private var effectivePlayer: PlayerChoice { player ?? ConfigDefaults.values.view.player ?? PlayerChoice.automatic() }

    func validate() throws {
        try ConfigDefaults.check()
        _ = try TicketArgument.parse(ticket)
        if let port {
            do { _ = try RelayPort(port) } catch { throw error.about("--port") }
        }
        _ = try dhtOptions.flags.settings()
    }

    /// Builds the configuration, starts the session, renders its events:
    /// stderr lines always, and on stdout the URL alone or JSON lines.
    func run() throws {
        outputOptions.apply()
        var configuration = ViewSessionConfiguration(ticket: try TicketArgument.parse(ticket), port: effectivePort,
                                                     player: effectivePlayer)
        configuration.dht = try dhtOptions.flags.settings()
        configuration.logger = .console()
        var log = ViewTextRenderer(printsURL: !outputOptions.isJSON, spins: !outputOptions.isJSON)
        var json = outputOptions.isJSON ? ViewJSONRenderer() : nil
        let status = HeadlessLoop.run(start: { sink in
            let session = ViewSession(configuration, onEvent: sink)
            session.start()
            return session.stop
        }, render: { event in
            log.render(event)
            json?.render(event)
            guard case .ended(let end) = event else { return nil }
            return ExitStatus(end)
        })
        if status != .success { throw status.exitCode }
    }
}

extension PlayerChoice: ExpressibleByArgument {}
