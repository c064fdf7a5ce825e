import ArgumentParser
import Foundation
import PixelpassCore
import PixelpassMedia
import PixelpassPortal

struct HostCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "host",
        abstract: "Share your screen: prints a ticket on stdout, serves viewers until Ctrl-C.",
        discussion: """
        The ticket is the first line of stdout; progress goes to stderr. Send the
        ticket to a friend, who runs: pixelpass TICKET. Defaults come from the
        config file ([host] in pixelpass config path), flags override them.
        Third-party HTTP/3 clients can fetch the stream at
        https://ADDRESS:PORT/v1/stream?secret=SECRET
        (see: pixelpass ticket inspect).

        Examples:
          pixelpass host
              share this desktop (on Wayland the desktop asks what)
          pixelpass host --forget-source
              ask the desktop's dialog again
          pixelpass host --monitor HDMI-1
              one X11 monitor
          pixelpass host --window Firefox --no-audio
              one window, video only
          pixelpass host --app Firefox
              only Firefox's sound (see: pixelpass apps)
          pixelpass host --source test
              the built-in test pattern
          pixelpass host --bitrate 8000 --fps 60 --max-viewers 2
          pixelpass host --output json | jq .
              one JSON event per line
          pixelpass host | head -1
              just the ticket (the share keeps running)
          pixelpass host --keep-ticket
              keep the ticket's key and secret for later shares
        """
    )

    @Option(help: ArgumentHelp("What to share: auto (this desktop: the ScreenCast portal on Wayland, the X screen on X11), x11, portal (the desktop's screen-share dialog), pipewire (--node), test (a moving pattern with a clock and a tone), clock (capture-time barcode, for latency measurement) or busy (that barcode over noise: uses every bit of --bitrate, to try a link). Default: auto, or [host] source in the config.", valueName: "source"))
    var source: CaptureSourceName?

    @Option(help: ArgumentHelp("What the desktop's screen-share dialog offers (Wayland): any, monitor or window (default: any).", valueName: "kind"))
    var portalSource: ScreenCastOptions.Offer?

    @Flag(help: "Forget the screen or window chosen in the desktop's dialog last time, and ask again.")
    var forgetSource = false

    @Option(help: "X display to capture (default: $DISPLAY).")
    var display: String?

    @Option(help: "Share one monitor by its RandR name (see: xrandr --listmonitors).")
    var monitor: String?

    @Option(help: "Share one window: its id (0x1e00007 or decimal) or part of its title.")
    var window: String?

    @Option(help: "PipeWire video node id to capture (with --source pipewire).")
    var node: UInt32?

    @Option(help: "H.264 encoder: auto, vah264enc, vaapih264enc, nvh264enc, x264enc or openh264enc (default: auto).")
    var encoder: String?

    @Flag(inversion: .prefixedNo, help: "Allow hardware encoders (default); --no-hwencode makes auto pick a software one.")
    var hwencode: Bool?

    @Flag(inversion: .prefixedNo, help: "Send system audio (default); --no-audio sends video only.")
    var audio: Bool?

    @Option(help: ArgumentHelp("Send only this application's audio (its name or program, as pixelpass apps lists them), from when it starts playing; needs PipeWire.", valueName: "name"))
    var app: String?

    @Option(help: "UDP address and port to listen on, e.g. 0.0.0.0:4433 (default: all interfaces, a free port).")
    var bind: String?

    @Option(help: "Video size, WIDTHxHEIGHT (test and clock sources: default 1280x720; screen capture: scale to this size instead of sending the native size).")
    var size: String?

    @Option(parsing: .unconditional, help: "Frames per second (1-120, default 30).")
    var fps: Int?

    @Option(parsing: .unconditional, help: "Video bitrate in kbit/s (100-100000, default 4000): the ceiling when the rate adapts.")
    var bitrate: Int?

    @Option(help: ArgumentHelp("adaptive: follow what the viewers' links take, up to --bitrate (default); fixed: always --bitrate. Default: [host] bitrate_mode.", valueName: "mode"))
    var bitrateMode: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Adaptive: the slowest viewer link the rate follows down to, in kbit/s (default 800); a slower viewer gets fewer pictures instead of slowing the others.", valueName: "kbps"))
    var bitrateFloor: Int?

    @Option(parsing: .unconditional, help: "Most viewers at once, 1-64 (default 4); the next one is turned away.")
    var maxViewers: Int?

    @Option(name: .customLong("stun"), help: ArgumentHelp("STUN server HOST:PORT to learn the address friends see (repeat for several; none: no discovery). Default: [nat] stun in the config, else public servers.", valueName: "host:port"))
    var stunServers: [String] = []

    @Option(help: ArgumentHelp("TURN relay for when no direct path works: turn:USER:PASS@HOST:PORT, or turn:HOST:PORT with --turn-secret; turns:… for TLS, …?transport=tcp for TCP. Default: [nat] turn in the config.", valueName: "url"))
    var turn: String?

    @Option(help: ArgumentHelp("coturn's REST-API shared secret (static-auth-secret): short-lived credentials are minted and ride in the ticket. Default: [nat] turn_secret.", valueName: "secret"))
    var turnSecret: String?

    @Option(name: .customLong("turn-ca"), help: ArgumentHelp("PEM file of CA certificates to trust for a turns: server besides the system's (a self-hosted coturn). Default: [nat] turn_ca.", valueName: "file"))
    var turnCA: String?

    @Flag(inversion: .prefixedNo, help: "Ask the router (PCP, NAT-PMP, UPnP IGD) to forward the port (default; --no-port-mapping to skip). Default: [nat] port_mapping.")
    var portMapping: Bool?

    @Flag(inversion: .prefixedNo, help: "Keep this host's key and ticket secret (in ~/.config/pixelpass, readable only by you), so its ticket stays valid for later shares. Default: [host] keep_ticket, else off: a new ticket each share.")
    var keepTicket: Bool?

    @Flag(inversion: .prefixedNo, help: "Ask before each new viewer may watch: [a]llow or [d]eny on the terminal, or with --output json an approval_requested event answered on stdin (allow ID / deny ID). Default: [host] approve, else off. With it or --output json, stdin also takes: kick ID, new-ticket.")
    var approve: Bool?

    @Flag(help: "With --keep-ticket: replace the kept key and secret with new ones and keep those (the old ticket stops working).")
    var newTicket = false

    @OptionGroup var dhtOptions: DHTOptions

    @OptionGroup var outputOptions: OutputOptions

    /// The settings besides the source: these flags, else the config file.
    var settings: HostSettings {
        HostSettings(flags: HostSettings.Flags(
            encoder: encoder, hwencode: hwencode, audio: audio, app: app, bind: bind, size: size, fps: fps,
            bitrate: bitrate, bitrateMode: bitrateMode, bitrateFloor: bitrateFloor, maxViewers: maxViewers, stunServers: stunServers, turn: turn, turnSecret: turnSecret, turnCA: turnCA,
            portMapping: portMapping, keepTicket: keepTicket, newTicket: newTicket, approve: approve), dht: dhtOptions.flags)
    }

    var effectiveSource: CaptureSourceName {
        source ?? ConfigDefaults.values.host.source ?? .auto
    }

    func validate() throws {
        try ConfigDefaults.check()
        try settings.validate()
        let x11Only = [("--display", display), ("--monitor", monitor), ("--window", window)].filter { $0.1 != nil }
        switch effectiveSource {
        case .x11, .auto:
            if monitor != nil && window != nil {
                throw ValidationError("--monitor and --window cannot be combined: share one monitor or one window")
            }
            if node != nil { throw ValidationError("--node goes with --source pipewire") }
            if effectiveSource == .x11 && portalSource != nil {
                throw ValidationError("--portal-source goes with --source portal (or auto on Wayland)")
            }
        case .portal:
            if let flag = x11Only.first { throw ValidationError("\(flag.0) goes with --source x11; on Wayland, pick the monitor or window in the desktop's dialog (--portal-source monitor|window)") }
            if node != nil { throw ValidationError("--node goes with --source pipewire") }
        case .pipewire:
            guard node != nil else {
                throw ValidationError("--source pipewire needs --node ID (list video nodes with: pw-cli ls Node)")
            }
            if let flag = x11Only.first { throw ValidationError("\(flag.0) goes with --source x11") }
            if portalSource != nil { throw ValidationError("--portal-source goes with --source portal (or auto on Wayland)") }
        case .test, .clock, .busy:
            if let flag = x11Only.first { throw ValidationError("\(flag.0) goes with --source x11") }
            if node != nil { throw ValidationError("--node goes with --source pipewire") }
            if portalSource != nil { throw ValidationError("--portal-source goes with --source portal (or auto on Wayland)") }
        }
        if let app {
            if app.trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("--app needs an application name (list them with: pixelpass apps)")
            }
            if !settings.audio { throw ValidationError("--app chooses whose audio to send, so it cannot go with --no-audio") }
            if effectiveSource.isSynthetic {
                throw ValidationError("--app goes with a screen source: the \(effectiveSource.rawValue) source sends its own test tone")
            }
        }
    }

    /// The capture source the options describe; `auto` looks at the session.
    func captureSource() throws(MediaError) -> CaptureSource {
        switch effectiveSource {
        case .test: return .test
        case .clock: return .clock
        case .busy: return .busy
        case .pipewire: return .pipewire(node: node!)
        case .x11: return .x11(X11Capture(display: display, target: x11Target()))
        case .portal: return .portal(portalCapture())
        case .auto:
            if display != nil || monitor != nil || window != nil {
                return .x11(X11Capture(display: display, target: x11Target()))
            }
            switch SourceAvailability.automatic(environment: ProcessInfo.processInfo.environment) {
            case .success(.x11(let capture)):
                return .x11(X11Capture(display: capture.display, target: x11Target()))
            case .success(.portal):
                return .portal(portalCapture())
            case .success(let other):
                return other
            case .failure(let error):
                throw error
            }
        }
    }

    /// The portal request, with the restore token kept next to the config
    /// file so the desktop's dialog appears once.
    private func portalCapture() -> PortalCapture {
        PortalCapture(offer: portalSource ?? .any, tokenStore: RememberedSource.store())
    }

    private func x11Target() -> X11Target {
        if let monitor { return .monitor(monitor) }
        if let window {
            if window.lowercased().hasPrefix("0x"), let id = UInt64(window.dropFirst(2), radix: 16) { return .windowID(id) }
            if let id = UInt64(window) { return .windowID(id) }
            return .windowTitle(window)
        }
        return .screen
    }

    /// The share these options describe; a source that cannot be had here
    /// fails like any media choice.
    func sessionConfiguration() throws -> HostSessionConfiguration {
        do {
            return try settings.sessionConfiguration(capturing: try captureSource())
        } catch let error as MediaError {
            throw HostSessionError.media(error)
        }
    }

    /// Builds the configuration, starts the session, renders its events:
    /// stderr lines always, and on stdout the ticket alone or JSON lines.
    func run() throws {
        outputOptions.apply()
        var log = HostTextRenderer(printsTicket: !outputOptions.isJSON)
        var json = outputOptions.isJSON ? HostJSONRenderer() : nil
        let input = HostInputBox()
        func render(_ event: HostSessionEvent) -> ExitStatus? {
            input.input?.observe(event)
            log.render(event)
            json?.render(event)
            guard case .ended(let end) = event else { return nil }
            return ExitStatus(end)
        }
        let configuration: HostSessionConfiguration
        do {
            configuration = try sessionConfiguration()
        } catch let error as HostSessionError {
            _ = render(.error(error))
            _ = render(.ended(.failed(error)))
            throw ExitStatus(error).exitCode
        }
        if forgetSource { RememberedSource.forget() }
        let status = HeadlessLoop.run(start: { sink in
            let session = HostSession(configuration, onEvent: sink)
            if configuration.host.approveViewers || outputOptions.isJSON {
                // Commands come on stdin: typed by the user, or a program's.
                let reader = HostInput(session: session)
                input.input = reader
                reader.start()
            }
            session.start()
            return session.stop
        }, render: render)
        if status != .success { throw status.exitCode }
    }
}

extension ScreenCastOptions.Offer: ExpressibleByArgument {}

/// Set once before the session's first event, read on the main thread.
private final class HostInputBox: @unchecked Sendable {
    var input: HostInput?
}
