/// What a config file says. Every value is optional: `nil` means the file
/// does not set it, and the command line or the built-in default decides.
/// Values here are already validated (ranges, names, formats).
public struct PixelpassConfig: Equatable, Sendable {
    public var host = Host()
    public var view = View()
    public var nat = NAT()

    public init(host: Host = Host(), view: View = View(), nat: NAT = NAT()) {
        self.host = host
        self.view = view
        self.nat = nat
    }

    /// `[host]`: defaults for `pixelpass host`.
    public struct Host: Equatable, Sendable {
        public var source: Source?
        /// kbit/s, checked as a `Bitrate`.
        public var bitrate: Int?
        public var bitrateMode: BitrateMode?
        /// kbit/s, checked as a `BitrateFloor`.
        public var bitrateFloor: Int?
        /// Checked as a `FrameRate`.
        public var fps: Int?
        public var size: VideoSize?
        /// Checked as a `ViewerLimit`.
        public var maxViewers: Int?
        public var encoder: Encoder?
        public var hwencode: Bool?
        public var audio: Bool?
        /// As written; checked as a `BindAddress`.
        public var bind: String?
        /// `--app`: one application's audio only.
        public var app: String?
        /// `--keep-ticket`: the same ticket for every share.
        public var keepTicket: Bool?
        /// Ask before each new viewer may watch (`--approve`).
        public var approve: Bool?

        public init(source: Source? = nil, bitrate: Int? = nil, fps: Int? = nil, size: VideoSize? = nil,
                    maxViewers: Int? = nil, encoder: Encoder? = nil, hwencode: Bool? = nil,
                    audio: Bool? = nil, bind: String? = nil, app: String? = nil, keepTicket: Bool? = nil,
                    bitrateMode: BitrateMode? = nil, bitrateFloor: Int? = nil) {
            self.source = source
            self.bitrate = bitrate
            self.bitrateMode = bitrateMode
            self.bitrateFloor = bitrateFloor
            self.fps = fps
            self.size = size
            self.maxViewers = maxViewers
            self.encoder = encoder
            self.hwencode = hwencode
            self.audio = audio
            self.bind = bind
            self.app = app
            self.keepTicket = keepTicket
        }
    }

    /// `[view]`: defaults for `pixelpass view`.
    public struct View: Equatable, Sendable {
        /// `nil`: automatic (mpv if installed, else VLC, else none).
        public var player: PlayerChoice?
        /// Checked as a `RelayPort`; `nil`: a free port.
        public var port: Int?
        /// What the host sees this viewer as; `nil`: the login name.
        public var name: String?

        public init(player: PlayerChoice? = nil, port: Int? = nil) {
            self.player = player
            self.port = port
        }
    }

    /// `[nat]`: STUN servers and the TURN relay for NAT traversal.
    public struct NAT: Equatable, Sendable {
        /// As written; each checked as a `STUNServer`.
        public var stun: [String]?
        /// As written; checked as a `TURNServerURL`.
        public var turn: String?
        /// coturn's REST-API shared secret, for short-lived credentials.
        public var turnSecret: String?
        /// A PEM file of CA certificates to trust for `turns:` servers.
        public var turnCA: String?
        /// Ask the router to forward the QUIC port.
        public var portMapping: Bool?
        /// Meet viewers through the BitTorrent mainline DHT.
        public var dht: Bool?
        /// As written; each checked as a `DHTBootstrapNode`.
        public var dhtBootstrap: [String]?

        public init(stun: [String]? = nil, turn: String? = nil, turnSecret: String? = nil, turnCA: String? = nil,
                    portMapping: Bool? = nil, dht: Bool? = nil, dhtBootstrap: [String]? = nil) {
            self.turnCA = turnCA
            self.dht = dht
            self.dhtBootstrap = dhtBootstrap
            self.turnSecret = turnSecret
            self.portMapping = portMapping
            self.stun = stun
            self.turn = turn
        }
    }

    /// The same names as `pixelpass host --source`.
    public typealias Source = CaptureSourceName

    /// The same names as `pixelpass host --encoder`.
    public typealias Encoder = EncoderName
}
