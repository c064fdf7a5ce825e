import Logging
import NIOCore
import PixelpassMedia
import PixelpassTransport

public struct HostConfiguration {
    /// UDP address to listen on; port 0 picks a free one.
    public var bind: SocketAddress
    public var media: MediaSettings
    /// How long the pipeline keeps running after the last viewer leaves.
    public var gracePeriod: Double = 3
    public var maxViewers: Int = 4
    /// Ask the host's user before each new viewer may watch (`--approve`).
    public var approveViewers = false
    /// Unsent bytes a viewer may owe before it skips to the next keyframe:
    /// about 1.5 s of the stream, so a viewer that falls behind rejoins live
    /// video instead of staying late.
    public var maxBacklogBytes: Int {
        let videoAndAudioBitsPerSecond = (media.bitrateKbps + (media.audio ? 128 : 0)) * 1000
        return max(256 * 1024, videoAndAudioBitsPerSecond / 8 * 3 / 2)
    }
    /// Adaptive: `media.bitrateKbps` is the ceiling and the rate follows the
    /// viewers' links; fixed: always `media.bitrateKbps`.
    public var bitrateMode = BitrateMode.adaptive
    /// The slowest viewer the adaptive rate follows down to (kbit/s).
    public var bitrateFloorKbps = 800
    /// The QUIC congestion controller (a benchmark knob: `PIXELPASS_CC`).
    public var congestionControl = QUICCongestionControl.standard
    /// A viewer that acknowledges nothing this long, with data waiting, is dropped.
    public var stallTimeout: Double = 20
    /// STUN servers and TURN relay (not used when bound to loopback).
    public var nat = NATSettings()
    /// How long NAT discovery may hold up the ticket (seconds).
    public var discoveryDeadline: Double = 1.0
    /// New key and secret each share, or the kept ones (`--keep-ticket`).
    public var ticketIdentity: TicketIdentity = .fresh
    /// Where the share's progress lines go (the command line injects its own).
    public var logger: Logger = .silent

    public init(bind: SocketAddress, media: MediaSettings) {
        self.bind = bind
        self.media = media
    }
}
