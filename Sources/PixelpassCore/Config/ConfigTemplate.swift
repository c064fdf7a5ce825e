import Foundation

/// The commented file `pixelpass config init` writes: every key, commented
/// out at its default, so the file changes nothing until a line is edited.
public enum ConfigTemplate {
    public static let text = """
    # pixelpass configuration. Flags on the command line override these values.
    # Remove the leading "# " from a line to set it. See: pixelpass config show

    [host]
    # What to share: auto (this desktop), x11, pipewire, test, clock or busy.
    # source = "auto"
    # Video bitrate in kbit/s (100-100000): the most it sends when bitrate_mode
    # is adaptive.
    # bitrate = 4000
    # adaptive: follow what the viewers' links take, up to bitrate; fixed: always bitrate.
    # bitrate_mode = "adaptive"
    # Adaptive: the slowest viewer link (kbit/s) the rate follows down to; a viewer
    # slower than this gets fewer pictures instead of slowing everyone.
    # bitrate_floor = 800
    # Frames per second (1-120).
    # fps = 30
    # Scale the video to WIDTHxHEIGHT (even numbers); unset: the native size.
    # size = "1280x720"
    # Most viewers at once (1-64); the next one is turned away.
    # max_viewers = 4
    # H.264 encoder: auto, vah264enc, vaapih264enc, nvh264enc, x264enc or openh264enc.
    # encoder = "auto"
    # Allow hardware encoders when encoder is auto.
    # hwencode = true
    # Send system audio along with the video.
    # audio = true
    # UDP address and port to listen on; port 0 picks a free one.
    # bind = "0.0.0.0:0"
    # Send only this application's audio (its name or program; see pixelpass apps).
    # app = "firefox"
    # Keep the host's key and ticket secret (in ~/.config/pixelpass, readable only
    # by you), so the same ticket works for every share; --new-ticket replaces them.
    # keep_ticket = false
    # Ask before each new viewer may watch ([a]llow / [d]eny); off: the ticket is enough.
    # approve = false

    [view]
    # Player to open: mpv, vlc or none; unset: mpv if installed, else vlc, else none.
    # player = "mpv"
    # Local port for the stream URL (1-65535); unset: a free port.
    # port = 8080
    # The name the host sees beside your viewer id; unset: your login name.
    # name = "alice"

    [nat]
    # STUN servers to learn our public address (default: public ones; [] for none).
    # stun = ["stun.example.org:3478"]
    # A TURN relay for when no direct path works: "turn:USER:PASS@HOST:PORT", or
    # "turn:HOST:PORT" plus coturn's REST-API secret below (then short-lived
    # credentials ride in the ticket, so viewers can use the relay too).
    # "turn:…?transport=tcp" reaches the server over TCP, "turns:HOST:PORT" over
    # TLS (port 5349 for coturn, 443 for most commercial services), for networks
    # that block UDP. A viewer uses its own turn to reach a host's relay.
    # turn = "turn:USER:PASS@turn.example.org:3478"
    # turn_secret = "the static-auth-secret of the coturn server"
    # Extra CA certificates (PEM) to trust for a turns: server, beside the system's.
    # turn_ca = "/etc/pixelpass/turn-ca.pem"
    # Ask the router to forward the port (PCP, NAT-PMP, UPnP IGD).
    # port_mapping = true
    # Meet the other side through the BitTorrent mainline DHT, so two friends
    # behind ordinary home routers connect with nothing else set up.
    # dht = true
    # Nodes to join the DHT through (default: the well-known public routers).
    # dht_bootstrap = ["dht.libtorrent.org:25401", "router.bittorrent.com:6881"]

    """

    /// Writes the template at `path`, creating its folder; never replaces a
    /// file that is there (O_EXCL, so not even one created a moment ago).
    /// The file is 0600 and a folder made here 0700: TURN passwords and
    /// secrets go in it, and other local users must not read them.
    public static func write(to path: String) throws(ConfigError) {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            do {
                try TicketIdentityStore(directory: folder).makeDirectory()
            } catch .writeFailed(_, let reason) {
                throw .writeFailed(path: path, reason: "cannot create \(folder): \(reason)")
            } catch {
                throw .writeFailed(path: path, reason: "cannot create \(folder): \(error)")
            }
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if descriptor < 0 {
            let code = errno
            if code == EEXIST { throw .alreadyExists(path: path) }
            throw .writeFailed(path: path, reason: String(cString: strerror(code)))
        }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                throw .writeFailed(path: path, reason: String(cString: strerror(code)))
            }
            written += count
        }
    }
}
