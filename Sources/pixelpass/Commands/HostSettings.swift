import ArgumentParser
import Foundation
import NIOCore
import PixelpassCore
import PixelpassMedia
import PixelpassTransport

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
        var bitrateMode: String?
        var bitrateFloor: Int?
        var maxViewers: Int?
        var stunServers: [String] = []
        var turn: String?
        var turnSecret: String?
        var turnCA: String?
        var portMapping: Bool?
        var keepTicket: Bool?
        var newTicket = false
        var approve: Bool?
    }

    var flags = Flags()
    /// --dht / --dht-bootstrap (none in the menu: the config decides).
    var dht = DHTFlags()

    private var config: PixelpassConfig.Host { ConfigDefaults.values.host }
    var hardware: Bool { flags.hwencode ?? config.hwencode ?? PixelpassConfig.Defaults.hwencode }
    var audio: Bool { flags.audio ?? config.audio ?? PixelpassConfig.Defaults.audio }
    var keepTicket: Bool { flags.keepTicket ?? config.keepTicket ?? PixelpassConfig.Defaults.keepTicket }
    var approve: Bool { flags.approve ?? config.approve ?? false }

    // Each value: the flag through its setting's one parser (so the flag and
    // the config file accept the same text and say the same thing when it
    // is wrong), else the config file's already-checked value, else the default.

    func encoderName() throws -> EncoderName {
        try flags.encoder.map { text throws(ValidationError) in try parse(text, as: EncoderName.self, flag: "--encoder") }
            ?? config.encoder ?? PixelpassConfig.Defaults.encoder
    }

    func bindAddress() throws -> BindAddress {
        if let text = flags.bind { return try parse(text, as: BindAddress.self, flag: "--bind") }
        return try parse(config.bind ?? PixelpassConfig.Defaults.bind, as: BindAddress.self, flag: "bind")
    }

    func videoSize() throws -> VideoSize? {
        try flags.size.map { text throws(ValidationError) in try parse(text, as: VideoSize.self, flag: "--size") }
            ?? config.size
    }

    func fps() throws -> Int {
        try flags.fps.map { try bounded($0, FrameRate.self, flag: "--fps") } ?? config.fps ?? PixelpassConfig.Defaults.fps
    }

    func bitrate() throws -> Int {
        try flags.bitrate.map { try bounded($0, Bitrate.self, flag: "--bitrate") }
            ?? config.bitrate ?? PixelpassConfig.Defaults.bitrate
    }

    func bitrateMode() throws -> BitrateMode {
        try flags.bitrateMode.map { text throws(ValidationError) in try parse(text, as: BitrateMode.self, flag: "--bitrate-mode") }
            ?? config.bitrateMode ?? PixelpassConfig.Defaults.bitrateMode
    }

    func bitrateFloor() throws -> Int {
        try flags.bitrateFloor.map { try bounded($0, BitrateFloor.self, flag: "--bitrate-floor") }
            ?? config.bitrateFloor ?? PixelpassConfig.Defaults.bitrateFloor
    }

    func maxViewers() throws -> Int {
        try flags.maxViewers.map { try bounded($0, ViewerLimit.self, flag: "--max-viewers") }
            ?? config.maxViewers ?? PixelpassConfig.Defaults.maxViewers
    }

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
        _ = try bindAddress()
        _ = try videoSize()
        _ = try fps()
        _ = try bitrate()
        _ = try bitrateMode()
        _ = try bitrateFloor()
        _ = try maxViewers()
        _ = try encoderChoice()
        _ = try ticketIdentity()
    }

    /// A new key and secret each share; or, with --keep-ticket (or
    /// keep_ticket = true), the kept ones, which --new-ticket replaces.
    func ticketIdentity(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> TicketIdentity {
        guard keepTicket else {
            if flags.newTicket {
                throw ValidationError("--new-ticket replaces a kept ticket, so it goes with --keep-ticket: "
                                      + "pixelpass host --keep-ticket --new-ticket")
            }
            return .fresh
        }
        guard let directory = TicketIdentityStore.directory(environment: environment) else {
            throw ValidationError("--keep-ticket needs a folder to keep the ticket in: set HOME or XDG_CONFIG_HOME")
        }
        let store = TicketIdentityStore(directory: directory)
        return flags.newTicket ? .renewed(store) : .kept(store)
    }

    /// STUN and TURN: flags, else the config's [nat], else public STUN servers.
    func natSettings() throws -> NATSettings {
        let nat = ConfigDefaults.values.nat
        var stun = flags.stunServers.isEmpty ? (nat.stun ?? NATSettings.defaultSTUNServers) : flags.stunServers
        if stun == ["none"] { stun = [] }
        for server in stun {
            // "none" is the flag's own word, so its message says so.
            do { _ = try STUNServer(validating: server) } catch {
                throw ValidationError("--stun must be HOST:PORT or none, e.g. stun.example.org:3478 (got \"\(server)\")")
            }
        }
        let turn = TURNFlags(turn: flags.turn, secret: flags.turnSecret, caFile: flags.turnCA)
        return NATSettings(stunServers: stun, turn: try turn.setting(), turnCA: try turn.ca(),
                           portMapping: flags.portMapping ?? nat.portMapping ?? true, dht: try dht.settings())
    }

    func encoderChoice() throws -> EncoderChoice {
        let encoder = try encoderName()
        if !hardware && encoder.isHardware {
            throw ValidationError("--encoder \(encoder.rawValue) is a hardware encoder, but --no-hwencode was given")
        }
        return encoder.choice(allowHardware: hardware)
    }

    private func parse<Setting: TextSetting>(_ text: String, as type: Setting.Type, flag: String) throws(ValidationError) -> Setting {
        do { return try Setting(validating: text) } catch { throw error.about(flag) }
    }

    private func bounded<Bounds>(_ value: Int, _ type: BoundedInteger<Bounds>.Type, flag: String) throws(ValidationError) -> Int {
        do { return try BoundedInteger<Bounds>(value).value } catch { throw error.about(flag) }
    }

    /// The session these settings describe, capturing `source`.
    func sessionConfiguration(capturing source: CaptureSource) throws -> HostSessionConfiguration {
        var media = MediaSettings(source: source, encoder: try encoderChoice(), fps: try fps(),
                                  bitrateKbps: try bitrate(), audio: audio)
        if let size = try videoSize() {
            media.width = size.width
            media.height = size.height
            media.scaleToSize = true
        }
        var host = HostConfiguration(bind: try bindAddress().socketAddress, media: media)
        host.maxViewers = try maxViewers()
        host.approveViewers = approve
        host.bitrateMode = try bitrateMode()
        host.bitrateFloorKbps = try bitrateFloor()
        if let name = ProcessInfo.processInfo.environment["PIXELPASS_CC"] {
            // A benchmark knob (scripts/bench-adapt), not a user setting.
            guard let algorithm = QUICCongestionControl(rawValue: name) else {
                throw ValidationError("PIXELPASS_CC must be one of "
                                      + QUICCongestionControl.allCases.map(\.rawValue).joined(separator: ", ") + " (got \"\(name)\")")
            }
            host.congestionControl = algorithm
        }
        host.nat = try natSettings()
        host.ticketIdentity = try ticketIdentity()
        host.logger = .console()
        let ownTone: Bool
        switch source {
        case .test, .clock, .busy: ownTone = true
        case .x11, .pipewire, .portal: ownTone = false
        }
        return HostSessionConfiguration(host: host, application: application(sendsOwnTone: ownTone))
    }
}

extension SettingError {
    /// The same problem said about a flag: "--fps must be … (got 500)".
    func about(_ flag: String) -> ValidationError {
        ValidationError(SettingError(setting: flag, requirement: requirement, got: got, suggestion: suggestion).description)
    }
}
