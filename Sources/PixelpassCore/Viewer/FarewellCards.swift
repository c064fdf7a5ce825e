import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import PixelpassMedia

/// The pictures players are shown when the share ends, rendered ahead of
/// time: GStreamer takes a second or two to make one, and the end of a
/// share should not wait for it. The host-ended card is prepared as soon as
/// the host's picture size is known; any card that is not ready within
/// `patience` when the share ends is left out (the stream just ends).
///
/// `@unchecked Sendable`: its state is only touched under `condition`.
final class FarewellCards: @unchecked Sendable {
    private struct Key: Hashable {
        var text: String
        var width: Int
        var height: Int
    }

    private enum Entry {
        case rendering
        case ready([UInt8]?)
    }

    private let condition = NSCondition()
    private var entries: [Key: Entry] = [:]
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    /// Starts rendering this card in the background unless it is already there.
    func prepare(_ text: String, width: Int, height: Int) {
        let key = Key(text: text, width: width, height: height)
        condition.lock()
        defer { condition.unlock() }
        guard entries[key] == nil else { return }
        // One render at a time, and only the newest card kept: a host that
        // keeps changing its size costs one card, not one per size.
        if entries.values.contains(where: { if case .rendering = $0 { return true } else { return false } }) { return }
        entries = entries.filter { $0.key.text != text }
        entries[key] = .rendering
        let logger = self.logger
        // A thread of its own at the lowest priority (GStreamer's threads
        // inherit it): the card takes a second or two of CPU, which must
        // come from what the player and a host on this machine leave over.
        let thread = Thread { [self] in
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)  // Linux: the calling thread
            var card: [UInt8]?
            do {
                card = try FarewellCard.render(text: text, width: width, height: height)
            } catch {
                logger.debug("could not render the \"\(text)\" picture for the players: \(error)")
            }
            condition.lock()
            entries[key] = .ready(card)
            condition.broadcast()
            condition.unlock()
        }
        thread.name = "pixelpass-farewell"
        thread.start()
    }

    /// The card, waiting at most `patience` seconds for it; blocks, so call
    /// it off the event loop.
    func card(_ text: String, width: Int, height: Int, patience: Double) -> [UInt8]? {
        prepare(text, width: width, height: height)
        let key = Key(text: text, width: width, height: height)
        let deadline = Date(timeIntervalSinceNow: patience)
        condition.lock()
        defer { condition.unlock() }
        while true {
            if case .ready(let card) = entries[key] { return card }
            guard condition.wait(until: deadline) else { return nil }
        }
    }
}
