/// Puts each raw frame on the frame-rate grid, at most one per slot.
///
/// A capture that runs late stamps a frame with the time it was actually
/// taken (ximagesrc does when a capture overran its slot), and drop-only
/// videorate keeps such stamps. Two frames then sit less than a frame time
/// apart, which players that count in frame times read as the same instant
/// (ffmpeg: "non monotonically increasing dts"). Snapping down to the slot
/// the frame was taken in keeps the stream's timing regular; a frame whose
/// slot was already used is dropped.
struct FrameGrid: Sendable, Equatable {
    struct Rate: Sendable, Equatable {
        var numerator: UInt64
        var denominator: UInt64
    }

    /// nil until caps are known (frames then pass as they are).
    private(set) var rate: Rate?
    private var lastSlotStart: UInt64?

    enum Placement: Equatable {
        /// Push the frame with this timestamp and duration (nanoseconds).
        case place(timestamp: UInt64, duration: UInt64)
        /// Its slot already holds a frame.
        case drop
        /// No rate known, or no timestamp: leave the frame alone.
        case pass
    }

    /// New caps: frames from now on are placed on this rate's grid. A
    /// variable or unknown rate (0/1) turns placing off.
    mutating func rateChanged(numerator: Int, denominator: Int) {
        rate = numerator > 0 && denominator > 0 ? Rate(numerator: UInt64(numerator), denominator: UInt64(denominator)) : nil
    }

    mutating func place(timestamp: UInt64?) -> Placement {
        guard let rate, let timestamp else { return .pass }
        let nanosPerSecond: UInt64 = 1_000_000_000
        let slotStart = { (slot: UInt64) in Self.scale(slot, by: nanosPerSecond * rate.denominator, over: rate.numerator) }
        // Slot k starts at ⌊k·10⁹·d/n⌋, as the sources compute it; the
        // division below can land one slot short of a start rounded down.
        var slot = Self.scale(timestamp, by: rate.numerator, over: nanosPerSecond * rate.denominator)
        if slotStart(slot + 1) <= timestamp { slot += 1 }
        let start = slotStart(slot)
        if let last = lastSlotStart, start <= last { return .drop }
        lastSlotStart = start
        return .place(timestamp: start, duration: slotStart(slot + 1) - start)
    }

    /// value × multiplier ÷ divisor, rounded down, without overflowing on the way.
    private static func scale(_ value: UInt64, by multiplier: UInt64, over divisor: UInt64) -> UInt64 {
        let product = value.multipliedFullWidth(by: multiplier)
        guard product.high < divisor else { return .max }
        return divisor.dividingFullWidth(product).quotient
    }
}
