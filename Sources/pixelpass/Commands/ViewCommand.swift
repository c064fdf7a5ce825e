import ArgumentParser
import Foundation
import PixelpassCore
import PixelpassTicket

struct ViewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "view",
        abstract: "Watch a share: prints a local URL on stdout and opens a player.",
        discussion: """
        The URL (http://127.0.0.1:PORT/TOKEN/) is the first line of stdout; any
        player that reads MPEG-TS over HTTP can open it, as often as you like.
        Its random TOKEN keeps other local users out: without it the port
        answers 404. Defaults come from the config file ([view] in pixelpass
        config path).

        A ticket given as an argument can be read by every user of this machine
        (ps, /proc/PID/cmdline). Give - instead to read it from $PIXELPASS_TICKET
        or, if that is not set, from one line of stdin.

        Examples:
          pixelpass pixelpass1-abc…                   watch in mpv (or VLC)
          pixelpass view - < ticket.txt               the ticket out of sight of ps
          wl-paste | pixelpass -                      the same, from the clipboard
          pixelpass view pixelpass1-abc… --player vlc
          pixelpass view pixelpass1-abc… --player none --port 8080
                                                      then open the URL it prints
          pixelpass view pixelpass1-abc… --output json
        """
    )

    @Argument(help: "The ticket your friend sent (pixelpass1-…), or - to read it from $PIXELPASS_TICKET or stdin (an argument is visible to other local users in ps).")
    var ticket: String

    @Option(help: "Player to open: mpv, vlc or none (default: [view] player in the config, else mpv if installed, else vlc, else none).")
    var player: PlayerChoice?

    @Option(help: ArgumentHelp("The name the host sees beside your viewer id (default: [view] name, else your login name).", valueName: "name"))
    var name: String?

    @Option(parsing: .unconditional, help: "Local port for the stream URL (default: [view] port in the config, else a free port).")
    var port: Int?

    @Option(help: ArgumentHelp("Your own TURN account, to reach the host's relay when only TCP or TLS gets out: turns:USER:PASS@HOST:PORT (or turn:…?transport=tcp, turn:HOST:PORT with --turn-secret). Used when the ticket has a relay. Default: [nat] turn.", valueName: "url"))
    var turn: String?

    @Option(help: ArgumentHelp("coturn's REST-API shared secret for --turn turn:HOST:PORT. Default: [nat] turn_secret.", valueName: "secret"))
    var turnSecret: String?

    @Option(name: .customLong("turn-ca"), help: ArgumentHelp("PEM file of CA certificates to trust for a turns: server besides the system's. Default: [nat] turn_ca.", valueName: "file"))
    var turnCA: String?

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
        if effectivePort != 0 { try RelayPortCheck.ensureFree(effectivePort) }
        _ = try ViewerIntroductionSettings.name(flag: name)
        _ = try dhtOptions.flags.settings()
        _ = try viewerTURN()
    }

    private func viewerTURN() throws -> ViewerTURN {
        let flags = TURNFlags(turn: turn, secret: turnSecret, caFile: turnCA)
        return ViewerTURN(server: try flags.setting(), caFile: try flags.ca())
    }

    /// Builds the configuration, starts the session, renders its events:
    /// stderr lines always, and on stdout the URL alone or JSON lines.
    func run() throws {
        outputOptions.apply()
        var configuration = ViewSessionConfiguration(ticket: try TicketArgument.parse(ticket), port: effectivePort,
                                                     player: effectivePlayer)
        configuration.dht = try dhtOptions.flags.settings()
        configuration.turn = try viewerTURN()
        configuration.introduction = try ViewerIntroductionSettings.introduction(nameFlag: name)
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
