import Logging
import PixelpassTicket

/// One watch, fully decided.
public struct ViewSessionConfiguration: Sendable {
    public var ticket: Ticket
    /// Local port for the stream URL; 0: any free port.
    public var port: Int
    /// Opened once connected, and again on `openPlayer()`.
    public var player: PlayerChoice
    /// Seconds between `stats` events (and checks that the player still runs).
    public var statsInterval: Double = 1
    /// Meet the host through the mainline DHT as well as dialling the ticket.
    public var dht = DHTSettings()
    /// Our own TURN account, for when only TCP or TLS gets out (`--turn`).
    public var turn = ViewerTURN()
    /// Our name and lasting key, for the host's user.
    public var introduction = ViewerIntroduction()
    /// Where the watch's progress lines go (the command line injects its own).
    public var logger: Logger = .silent

    public init(ticket: Ticket, port: Int, player: PlayerChoice) {
        self.ticket = ticket
        self.port = port
        self.player = player
    }
}
