import Logging
import PixelpassMedia

extension ViewerEnd {
    /// The last picture players are shown, or nil when we ended it ourselves
    /// (then the stream just ends).
    var farewellText: String? {
        switch self {
        case .hostEnded: return "The host ended the share"
        case .removedByHost: return "The host removed you from the share"
        // Lost contact is noticed only after the idle timeout: the player
        // has shown a frozen picture for 10 s already, and 3 s more of a
        // card would only delay the end (and the exit code scripts wait for).
        case .lostContact, .local: return nil
        }
    }
}

extension Viewer {
    /// Shown when the host did not say what it sends.
    static let farewellFallbackSize = (width: 1280, height: 720)

    /// Ends every player's stream: with a picture saying why when the host
    /// side ended it, so the player does not just freeze and vanish.
    func endPlayersStreams(_ end: ViewerEnd, relay: LocalRelay) {
        guard let text = end.farewellText else { return relay.endAllStreams() }
        let size = farewellSize
        let cards = farewellCards
        relay.bidFarewell(seconds: Int64(FarewellCard.seconds)) {
            cards.card(text, width: size.width, height: size.height, patience: Self.farewellPatience)
        }
    }

    /// How long the end of a share waits for a card still being rendered.
    static let farewellPatience = 1.0

    /// The host's picture size when it is a plausible one: the host says it,
    /// and a card of any size it names would cost us that much to render.
    var farewellSize: (width: Int, height: Int) {
        guard let video = hostVideo, (16...7680).contains(video.width), (16...4320).contains(video.height) else {
            return Self.farewellFallbackSize
        }
        return (width: video.width & ~1, height: video.height & ~1)
    }

    /// The host said what it sends: have its "ended" card ready, once a
    /// player watches (an idle viewer spends no CPU on it).
    func prepareFarewell() {
        guard let text = ViewerEnd.hostEnded.farewellText, (relay?.playerCount ?? 0) > 0 else { return }
        let size = farewellSize
        farewellCards.prepare(text, width: size.width, height: size.height)
    }
}
