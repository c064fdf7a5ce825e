import XCTest
@testable import PixelpassCore

final class ConfigEffectiveTests: XCTestCase {
    let location = ConfigLocation(path: "/home/u/.config/pixelpass/config.toml", rule: .home)

    func loaded(_ text: String?) throws -> LoadedConfig {
        guard let text else { return LoadedConfig(location: location, fileExists: false, parsed: ParsedConfig()) }
        return LoadedConfig(location: location, fileExists: true, parsed: try PixelpassConfig.parse(text, path: location.path))
    }

    func testAllDefaultsWithoutAFile() throws {
        let settings = try loaded(nil).effectiveSettings(automaticPlayer: .vlc)
        XCTAssertEqual(settings.map(\.key), ConfigKey.allCases)
        XCTAssertTrue(settings.allSatisfy { $0.origin == .builtInDefault })
        let literals = Dictionary(uniqueKeysWithValues: settings.map { ($0.key, $0.literal) })
        XCTAssertEqual(literals, [
            .source: "\"auto\"", .bitrate: "4000", .bitrateMode: "\"adaptive\"", .bitrateFloor: "800", .fps: "30", .size: nil, .maxViewers: "4",
            .encoder: "\"auto\"", .hwencode: "true", .audio: "true", .bind: "\"0.0.0.0:0\"", .app: nil,
            .keepTicket: "false", .approve: "false",
            .player: nil, .port: nil, .name: nil, .stun: nil, .turn: nil, .turnSecret: nil, .turnCA: nil, .portMapping: "true",
            .dht: "true", .dhtBootstrap: nil,
        ])
        XCTAssertEqual(settings.first { $0.key == .player }?.note, "mpv if installed, else vlc, else none (here: vlc)")
    }

    func testFileValuesCarryTheirLines() throws {
        let settings = try loaded("[host]\nfps = 60\n\n[view]\nplayer = \"none\"\n[nat]\nstun = [\"a:1\"]\n")
            .effectiveSettings()
        let byKey = Dictionary(uniqueKeysWithValues: settings.map { ($0.key, $0) })
        XCTAssertEqual(byKey[.fps], EffectiveSetting(key: .fps, literal: "60", origin: .file(line: 2)))
        XCTAssertEqual(byKey[.player], EffectiveSetting(key: .player, literal: "\"none\"", origin: .file(line: 5)))
        XCTAssertEqual(byKey[.stun], EffectiveSetting(key: .stun, literal: "[\"a:1\"]", origin: .file(line: 7)))
        XCTAssertEqual(byKey[.bitrate]?.origin, .builtInDefault)
        XCTAssertEqual(byKey[.player]?.note, nil)
    }

    func testRenderedOutput() throws {
        let text = try loaded("[host]\nbitrate = 8000\nsize = \"1280x720\"\n").renderEffective(automaticPlayer: .mpv)
        XCTAssertEqual(text, """
        # pixelpass settings in effect; flags on the command line override them.
        # file: /home/u/.config/pixelpass/config.toml

        [host]
        source = "auto"             # default
        bitrate = 8000              # from file, line 2
        bitrate_mode = "adaptive"   # default: follow the viewers' links, up to bitrate
        bitrate_floor = 800         # default
        fps = 30                    # default
        size = "1280x720"           # from file, line 3
        max_viewers = 4             # default
        encoder = "auto"            # default
        hwencode = true             # default
        audio = true                # default
        bind = "0.0.0.0:0"          # default: all interfaces, a free port
        # app is not set            # default: all system audio, not one application's
        keep_ticket = false         # default: a new ticket for every share
        approve = false             # default: anyone with the ticket may watch

        [view]
        # player is not set         # default: mpv if installed, else vlc, else none (here: mpv)
        # port is not set           # default: a free port
        # name is not set           # default: the login name

        [nat]
        # stun is not set           # default: public STUN servers: stun.l.google.com:19302, stun.cloudflare.com:3478
        # turn is not set           # default: no relay
        # turn_secret is not set    # default: none
        # turn_ca is not set        # default: the system's trusted CAs only
        port_mapping = true         # default: ask the router (PCP, NAT-PMP, UPnP IGD)
        dht = true                  # default: meet viewers through the BitTorrent mainline DHT
        # dht_bootstrap is not set  # default: well-known routers: dht.libtorrent.org:25401, dht.transmissionbt.com:6881, router.bittorrent.com:6881, router.utorrent.com:6881

        """)
    }

    func testRenderedOutputSaysWhenThereIsNoFile() throws {
        XCTAssertTrue(try loaded(nil).renderEffective().contains("(not there: built-in defaults only)"))
    }

    func testRenderedOutputIsAValidConfigWithTheSameValues() throws {
        let original = """
        [host]
        source = "clock"
        encoder = "openh264enc"
        bind = "[::1]:4433"
        size = "640x360"
        [view]
        port = 1234
        player = "mpv"
        [nat]
        stun = ["a:1", "b \\"quoted\\":2"]
        turn = "turn:t:3"
        """
        let first = try loaded(original)
        let rendered = first.renderEffective()
        let again = try PixelpassConfig.parse(rendered, path: "rendered")
        XCTAssertEqual(again.values.host.fps, PixelpassConfig.Defaults.fps)
        var expected = first.values
        expected.host = .init(source: .clock, bitrate: 4000, fps: 30, size: expected.host.size, maxViewers: 4,
                              encoder: .openh264enc, hwencode: true, audio: true, bind: "[::1]:4433",
                              keepTicket: false, bitrateMode: .adaptive, bitrateFloor: 800)
        expected.host.approve = false
        expected.nat.portMapping = true  // defaults with a value are written out
        expected.nat.dht = true
        XCTAssertEqual(again.values, expected)
        XCTAssertEqual(again.values.nat.stun, ["a:1", "b \"quoted\":2"])
    }

    func testQuotingEscapesControlCharacters() {
        XCTAssertEqual(LoadedConfig.quoted("a\"b\\c\nd\u{1}"), "\"a\\\"b\\\\c\\nd\\u0001\"")
    }
}
