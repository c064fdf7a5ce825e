import ArgumentParser
import NIOCore
import PixelpassCore
import PixelpassMedia

/// Everything a share needs besides what it captures: each value from its
/// flag, else the config file's [host] / [nat], else the built-in default.
/// The menu uses it with no flags, so both front ends share one reading.
struct HostSettings {
    /// The flags as given (nil / empty: not given).
    struct Flags {
        var encoder: String?
        var hwencode: Bool?
        var audio: Bool?
        var app: String?
        var bind: String?
        var size: String?
        var fps: Int?
        var bitrate: Int?
        var maxViewers: Int?
        var stunServers: [String] = []
        var turn: String?
        var turnSecret: String?
        var portMapping: Bool?
    }

    var flags = Flags()

    private var config: PixelpassConfig.Host { ConfigDefaults.values.host }
    var encoder: String { flags.encoder ?? config.encoder?.rawValue ?? PixelpassConfig.Defaults.encoder.rawValue }
    var hardware: Bool { flags.hwencode ?? config.hwencode ?? PixelpassConfig.Defaults.hwencode }
    var audio: Bool { flags.audio ?? config.audio ?? PixelpassConfig.Defaults.audio }
    var bind: String { flags.bind ?? config.bind ?? PixelpassConfig.Defaults.bind }
    var size: String? { flags.size ?? config.size?.description }
    var fps: Int { flags.fps ?? config.fps ?? PixelpassConfig.Defaults.fps }
    var bitrate: Int { flags.bitrate ?? config.bitrate ?? PixelpassConfig.Defaults.bitrate }
    var maxViewers: Int { flags.maxViewers ?? config.maxViewers ?? PixelpassConfig.Defaults.maxViewers }

    /// The flag; else the config's app, unless this share sends no system
    /// audio (--no-audio, or a test source with its own tone).
    func application(sendsOwnTone: Bool) -> String? {
        if let app = flags.app { return app }
        guard let configured = config.app, audio, !sendsOwnTone else { return nil }
        return configured
    }

    /// Fails with the flag (or config value) that is wrong and how to fix it.
    func validate() throws {
        _ = try natSettings()
        _ = try parsedBind()
        _ = try parsedSize()
        guard (1...120).contains(fps) else { throw ValidationError("--fps must be between 1 and 120 (got \(fps))") }
        guard (100...100_000).contains(bitrate) else {
            throw ValidationError("--bitrate is in kbit/s and must be between 100 and 100000 (got \(bitrate))")
        }
        guard (1...64).contains(maxViewers) else { throw ValidationError("--max-viewers must be between 1 and 64") }
        _ = try encoderChoice()
    }

    /// STUN and TURN: flags, else the config's [nat], else public STUN servers.
    func natSettings() throws -> NATSettings {
        let nat = ConfigDefaults.values.nat
        var stun = flags.stunServers.isEmpty ? (nat.stun ?? NATSettings.defaultSTUNServers) : flags.stunServers
        if stun == ["none"] { stun = [] }
        for server in stun where !Self.looksLikeHostPort(server) {
            throw ValidationError("--stun must be HOST:PORT or none, e.g. stun.example.org:3478 (got \"\(server)\")")
        }
        var turnSetting: TURNServerSetting?
        if let url = flags.turn ?? nat.turn {
            guard let parsed = TURNServerSetting.parse(url, secret: flags.turnSecret ?? nat.turnSecret) else {
                throw ValidationError("--turn must be turn:USER:PASS@HOST:PORT, or turn:HOST:PORT together with --turn-secret (got \"\(url)\")")
            }
            turnSetting = parsed
        } else if flags.turnSecret != nil {
            throw ValidationError("--turn-secret needs --turn turn:HOST:PORT (the server it belongs to)")
        }
        return NATSettings(stunServers: stun, turn: turnSetting,
                           portMapping: flags.portMapping ?? nat.portMapping ?? true)
    }

    private static func looksLikeHostPort(_ text: String) -> Bool {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else { return false }
        return (1...65535).contains(port) && colon > text.startIndex
    }

    func encoderChoice() throws -> EncoderChoice {
        let encoder = self.encoder
        if encoder == "auto" { return .automatic(allowHardware: hardware) }
        let known = ["vah264enc", "vaapih264enc", "nvh264enc", "x264enc", "openh264enc"]
        guard known.contains(encoder) else {
            throw ValidationError("--encoder must be auto or one of \(known.joined(separator: ", ")) (got \"\(encoder)\")")
        }
        if !hardware && ["vah264enc", "vaapih264enc", "nvh264enc"].contains(encoder) {
            throw ValidationError("--encoder \(encoder) is a hardware encoder, but --no-hwencode was given")
        }
        return .named(encoder)
    }

    func parsedSize() throws -> (Int, Int)? {
        guard let size else { return nil }
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

    /// The session these settings describe, capturing `source`.
    func sessionConfiguration(capturing source: CaptureSource) throws -> HostSessionConfiguration {
        var media = MediaSettings(source: source, encoder: try encoderChoice(), fps: fps,
                                  bitrateKbps: bitrate, audio: audio)
        if let (width, height) = try parsedSize() {
            media.width = width
            media.height = height
            media.scaleToSize = true
        }
        var host = HostConfiguration(bind: try parsedBind(), media: media)
        host.maxViewers = maxViewers
        host.nat = try natSettings()
        let ownTone: Bool
        switch source {
        case .test, .clock: ownTone = true
        case .x11, .pipewire, .portal: ownTone = false
        }
        return HostSessionConfiguration(host: host, application: application(sendsOwnTone: ownTone))
    }
}
