import ArgumentParser
import NIOCore
import NIOPosix
import PixelpassCore
import Foundation
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
        https://ADDRESS:PORT/v1/stream?secret=SECRET (see: pixelpass ticket inspect).

        Examples:
          pixelpass host                              share this desktop (Wayland: the desktop asks what)
          pixelpass host --forget-source              ask the desktop's dialog again
          pixelpass host --monitor HDMI-1             one X11 monitor
          pixelpass host --window Firefox --no-audio  one window, video only
          pixelpass host --app Firefox                only Firefox's sound (see: pixelpass apps)
          pixelpass host --source test                the built-in test pattern
          pixelpass host --bitrate 8000 --fps 60 --max-viewers 2
          pixelpass host --output json | jq .         one JSON event per line
          pixelpass host | head -1                    just the ticket (the share keeps running)
        """
    )

    enum Source: String, ExpressibleByArgument, CaseIterable {
        case auto, x11, portal, pipewire, test, clock
    }

    @Option(help: ArgumentHelp("What to share: auto (this desktop: the ScreenCast portal on Wayland, the X screen on X11), x11, portal (the desktop's screen-share dialog), pipewire (--node), test (a moving pattern with a clock and a tone) or clock (capture-time barcode, for latency measurement). Default: auto, or [host] source in the config.", valueName: "source"))
    var source: Source?

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

    @Option(help: "Frames per second (1-120, default 30).")
    var fps: Int?

    @Option(help: "Video bitrate in kbit/s (100-100000, default 4000).")
    var bitrate: Int?

    @Option(help: "Most viewers at once, 1-64 (default 4); the next one is turned away.")
    var maxViewers: Int?

    @Option(name: .customLong("stun"), help: ArgumentHelp("STUN server HOST:PORT to learn the address friends see (repeat for several; none: no discovery). Default: [nat] stun in the config, else public servers.", valueName: "host:port"))
    var stunServers: [String] = []

    @Option(help: ArgumentHelp("TURN relay for when no direct path works: turn:USER:PASS@HOST:PORT, or turn:HOST:PORT with --turn-secret. Default: [nat] turn in the config.", valueName: "url"))
    var turn: String?

    @Option(help: ArgumentHelp("coturn's REST-API shared secret (static-auth-secret): short-lived credentials are minted and ride in the ticket. Default: [nat] turn_secret.", valueName: "secret"))
    var turnSecret: String?

    @Flag(inversion: .prefixedNo, help: "Ask the router (PCP, NAT-PMP, UPnP IGD) to forward the port (default; --no-port-mapping to skip). Default: [nat] port_mapping.")
    var portMapping: Bool?

    @OptionGroup var outputOptions: OutputOptions

    // Each setting: the flag, else the config file's [host] value, else the default.
    private var config: PixelpassConfig.Host { ConfigDefaults.values.host }
    var effectiveSource: Source { source ?? config.source.flatMap { Source(rawValue: $0.rawValue) } ?? .auto }
    var effectiveEncoder: String { encoder ?? config.encoder?.rawValue ?? PixelpassConfig.Defaults.encoder.rawValue }
    var effectiveHardware: Bool { hwencode ?? config.hwencode ?? PixelpassConfig.Defaults.hwencode }
    var effectiveAudio: Bool { audio ?? config.audio ?? PixelpassConfig.Defaults.audio }
    var effectiveBind: String { bind ?? config.bind ?? PixelpassConfig.Defaults.bind }
    var effectiveSize: String? { size ?? config.size?.description }
    var effectiveFps: Int { fps ?? config.fps ?? PixelpassConfig.Defaults.fps }
    var effectiveBitrate: Int { bitrate ?? config.bitrate ?? PixelpassConfig.Defaults.bitrate }
    /// The flag; else the config's app, unless this share sends no system
    /// audio (--no-audio, or a test source with its own tone).
    var effectiveApp: String? {
        if let app { return app }
        guard let configured = config.app, effectiveAudio, ![.test, .clock].contains(effectiveSource) else { return nil }
        return configured
    }
    var effectiveMaxViewers: Int { maxViewers ?? config.maxViewers ?? PixelpassConfig.Defaults.maxViewers }

    /// STUN and TURN: flags, else the config's [nat], else public STUN servers.
    func natSettings() throws -> NATSettings {
        let nat = ConfigDefaults.values.nat
        var stun = stunServers.isEmpty ? (nat.stun ?? NATSettings.defaultSTUNServers) : stunServers
        if stun == ["none"] { stun = [] }
        for server in stun where !Self.looksLikeHostPort(server) {
            throw ValidationError("--stun must be HOST:PORT or none, e.g. stun.example.org:3478 (got \"\(server)\")")
        }
        var turnSetting: TURNServerSetting?
        if let url = turn ?? nat.turn {
            guard let parsed = TURNServerSetting.parse(url, secret: turnSecret ?? nat.turnSecret) else {
                throw ValidationError("--turn must be turn:USER:PASS@HOST:PORT, or turn:HOST:PORT together with --turn-secret (got \"\(url)\")")
            }
            turnSetting = parsed
        } else if turnSecret != nil {
            throw ValidationError("--turn-secret needs --turn turn:HOST:PORT (the server it belongs to)")
        }
        return NATSettings(stunServers: stun, turn: turnSetting,
                           portMapping: portMapping ?? nat.portMapping ?? true)
    }

    private static func looksLikeHostPort(_ text: String) -> Bool {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else { return false }
        return (1...65535).contains(port) && colon > text.startIndex
    }

    func validate() throws {
        try ConfigDefaults.check()
        _ = try natSettings()
        let fps = effectiveFps, bitrate = effectiveBitrate, maxViewers = effectiveMaxViewers
        _ = try parsedBind()
        _ = try parsedSize()
        guard (1...120).contains(fps) else { throw ValidationError("--fps must be between 1 and 120 (got \(fps))") }
        guard (100...100_000).contains(bitrate) else {
            throw ValidationError("--bitrate is in kbit/s and must be between 100 and 100000 (got \(bitrate))")
        }
        guard (1...64).contains(maxViewers) else { throw ValidationError("--max-viewers must be between 1 and 64") }
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
        case .test, .clock:
            if let flag = x11Only.first { throw ValidationError("\(flag.0) goes with --source x11") }
            if node != nil { throw ValidationError("--node goes with --source pipewire") }
            if portalSource != nil { throw ValidationError("--portal-source goes with --source portal (or auto on Wayland)") }
        }
        _ = try encoderChoice()
        if let app {
            if app.trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("--app needs an application name (list them with: pixelpass apps)")
            }
            if !effectiveAudio { throw ValidationError("--app chooses whose audio to send, so it cannot go with --no-audio") }
            if [.test, .clock].contains(effectiveSource) {
                throw ValidationError("--app goes with a screen source: the \(effectiveSource.rawValue) source sends its own test tone")
            }
        }
    }

    func encoderChoice() throws -> EncoderChoice {
        let encoder = effectiveEncoder
        let noHwencode = !effectiveHardware
        if encoder == "auto" { return .automatic(allowHardware: !noHwencode) }
        let known = ["vah264enc", "vaapih264enc", "nvh264enc", "x264enc", "openh264enc"]
        guard known.contains(encoder) else {
            throw ValidationError("--encoder must be auto or one of \(known.joined(separator: ", ")) (got \"\(encoder)\")")
        }
        if noHwencode && ["vah264enc", "vaapih264enc", "nvh264enc"].contains(encoder) {
            throw ValidationError("--encoder \(encoder) is a hardware encoder, but --no-hwencode was given")
        }
        return .named(encoder)
    }

    /// The capture source the options describe; `auto` looks at the session.
    func captureSource() throws -> CaptureSource {
        switch effectiveSource {
        case .test: return .test
        case .clock: return .clock
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
        PortalCapture(offer: portalSource ?? .any, tokenStore: Self.restoreTokenStore())
    }

    static func restoreTokenStore() -> RestoreTokenStore? {
        guard let location = try? ConfigLocation.resolve(environment: ProcessInfo.processInfo.environment) else { return nil }
        return RestoreTokenStore(directory: URL(fileURLWithPath: location.path).deletingLastPathComponent())
    }

    /// `--forget-source`: drops the remembered portal choices, saying so.
    func forgetRememberedSource() {
        guard forgetSource else { return }
        let forgotten = Self.restoreTokenStore()?.forgetAll() ?? 0
        Console.info(forgotten > 0 ? "forgot the screen chosen last time; the desktop will ask again"
                                   : "no remembered screen choice to forget")
    }

    /// Tells the user what the desktop is about to do, before the dialog.
    func announcePortal(_ capture: CaptureSource) {
        if let notice = portalNotice(capture) { Console.info(notice) }
    }

    /// What the desktop is about to do; nil when the source is no portal.
    func portalNotice(_ capture: CaptureSource) -> String? {
        guard case let .portal(portal) = capture else { return nil }
        if portal.tokenStore?.token(for: portal.offer) != nil {
            return "asking the desktop for the screen chosen last time (--forget-source to choose again)"
        }
        return "asking the desktop what to share: choose a \(portal.offer == .any ? "monitor or window" : portal.offer.rawValue) in its dialog"
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

    func parsedSize() throws -> (Int, Int)? {
        guard let size = effectiveSize else { return nil }
        let parts = size.lowercased().split(separator: "x")
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]),
              (16...7680).contains(w), (16...4320).contains(h), w % 2 == 0, h % 2 == 0 else {
            throw ValidationError("--size must be WIDTHxHEIGHT with even numbers, e.g. 1280x720 (got \"\(size)\")")
        }
        return (w, h)
    }

    func parsedBind() throws -> SocketAddress {
        let bind = effectiveBind
        guard let address = AddressArgument.parse(bind) else {
            throw ValidationError("--bind must be ADDRESS:PORT, e.g. 0.0.0.0:4433 or [::]:4433 (got \"\(bind)\")")
        }
        return address
    }

    /// The host configuration these options describe.
    func hostConfiguration() throws -> HostConfiguration {
        let requestedSize = try parsedSize()
        let capture: CaptureSource
        do {
            capture = try captureSource()
        } catch let error as MediaError {
            throw HostStartError.media(error)
        }
        var media = MediaSettings(source: capture, encoder: try encoderChoice(), fps: effectiveFps,
                                  bitrateKbps: effectiveBitrate, audio: effectiveAudio)
        if let (width, height) = requestedSize {
            media.width = width
            media.height = height
            media.scaleToSize = true
        }
        var configuration = HostConfiguration(bind: try parsedBind(), media: media)
        configuration.maxViewers = effectiveMaxViewers
        configuration.nat = try natSettings()
        return configuration
    }

    /// What the event loop and timers tell the main thread.
    private enum Event {
        case sourceLost(String)
        case host(HostEvent)
        case statsDue
    }

    func run() throws {
        outputOptions.apply()
        let json = outputOptions.isJSON
        var configuration: HostConfiguration
        do {
            configuration = try hostConfiguration()
        } catch let error as HostStartError {
            report(error, json: json)
            throw ExitCode(error.exitCode)
        }
        // The application's sink lives as long as this share; every way out
        // of run() removes it (a crash leaves it to `pixelpass repair`).
        var appAudio: AppAudioRouter?
        defer { appAudio?.stop() }
        if let app = effectiveApp {
            do {
                let router = try AppAudioRouter.start(application: app)
                router.onChange = { Console.info($0) }
                configuration.media.application = ApplicationAudio(name: app, sink: router.sinkName)
                appAudio = router
            } catch let error as AppAudioError {
                report(.other(error), json: json, exitCode: 2)
                throw ExitCode(2)
            }
        }
        forgetRememberedSource()
        announcePortal(configuration.media.source)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let host: PixelpassCore.Host
        do {
            host = try HostStartError.starting(configuration, on: group.next())
        } catch let error as HostStartError {
            report(error, json: json)
            throw ExitCode(error.exitCode)
        }
        let events = MainThreadEvents<Event>()
        host.onSourceLost = { reason in events.post(.sourceLost(reason)) }
        host.onEvent = { event in events.post(.host(event)) }
        let addresses = host.ticket.addresses.map(\.description)
        var ticker: Ticker?
        if json {
            EventLine.emit("ticket", [("ticket", .string(host.ticket.encoded())),
                                      ("fingerprint", .string(host.ticket.fingerprintHex))])
            let relay = (try? host.ticket.relayInfo)?.map { JSONValue.string($0.relayed.description) } ?? .null
            EventLine.emit("listening", [("addresses", .array(addresses.map { .string($0) })),
                                         ("reflexive", .array(host.ticket.reflexive.map { .string($0.description) })),
                                         ("relay", relay),
                                         ("capture", .string(host.media.summary)),
                                         ("encoder", .string(host.media.encoder)),
                                         ("audio", .bool(host.media.audio.isOn)),
                                         ("max_viewers", .int(configuration.maxViewers))])
            ticker = Ticker(every: 1) { events.post(.statsDue) }
        } else {
            Console.output(host.ticket.encoded())
        }
        Console.info("capture: \(host.media.summary)")
        if case .unavailable(let reason) = host.media.audio {
            Console.info("warning: no system audio (\(reason)); sharing video only")
        }
        if !host.ticket.reflexive.isEmpty {
            Console.info("STUN: the internet sees this host at \(host.ticket.reflexive.map(\.description).joined(separator: ", "))")
        }
        if let relay = try? host.ticket.relayInfo {
            Console.info("TURN relay ready at \(relay.relayed) (via \(relay.server))")
        }
        if let problem = host.relayProblem {
            Console.info("warning: no TURN relay in the ticket: \(problem); friends behind a strict NAT may not get through")
        }
        Console.info("sharing on \(addresses.joined(separator: ", ")); send the ticket above to a friend, who runs: pixelpass TICKET")
        Console.info("press Ctrl-C to stop sharing")
        defer { ticker?.cancel() }
        var rates = HostRateTracker()
        while true {
            switch events.next() {
            case .interrupted:
                Console.info("stopping: closing viewers")
                try? host.shutdown().wait()
                if json { EventLine.ended("interrupted", exitCode: 0) }
                return
            case .event(.sourceLost(let reason)):
                let message = "the capture source went away (\(reason)): ending the share"
                Console.error(message)
                try? host.shutdown().wait()
                if json {
                    EventLine.error(message, exitCode: 1)
                    EventLine.ended("source_lost", exitCode: 1)
                }
                throw ExitCode.failure
            case .event(.host(let event)):
                if json {
                    let (name, fields) = HostEventJSON.fields(for: event)
                    EventLine.emit(name, fields)
                }
            case .event(.statsDue):
                guard let status = try? host.status().wait() else { continue }
                let sampled = rates.rates(for: status, at: ProcessInfo.processInfo.systemUptime)
                EventLine.emit("stats", HostEventJSON.stats(status, rates: sampled))
            }
        }
    }

    private func report(_ error: HostStartError, json: Bool, exitCode: Int32? = nil) {
        let code = exitCode ?? error.exitCode
        Console.error(error.description)
        if json {
            EventLine.error(error.description, exitCode: code)
            EventLine.ended("error", exitCode: code)
        }
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

extension ScreenCastOptions.Offer: ExpressibleByArgument {}
