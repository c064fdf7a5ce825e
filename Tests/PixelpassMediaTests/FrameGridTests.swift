import Testing
@testable import PixelpassMedia

@Suite struct FrameGridTests {
    private let frame: UInt64 = 33_333_333

    @Test func framesWithoutARatePassAsTheyAre() {
        var grid = FrameGrid()
        #expect(grid.place(timestamp: 12_345) == .pass)
        grid.rateChanged(numerator: 30, denominator: 1)
        #expect(grid.place(timestamp: nil) == .pass)
    }

    @Test func aLateCaptureIsSnappedDownToItsSlotAndTheNextSlotKeepsItsFrame() {
        // ximagesrc at 30 fps: frame 10 on time, frame 11 taken 0.6 of a
        // frame late, frame 12 on time again. Unsnapped, 11.6 and 12 round
        // to the same frame time.
        var grid = FrameGrid()
        grid.rateChanged(numerator: 30, denominator: 1)
        #expect(grid.place(timestamp: 333_333_333) == .place(timestamp: 333_333_333, duration: 33_333_333))
        let late = 366_666_666 + 20_000_000
        #expect(grid.place(timestamp: UInt64(late)) == .place(timestamp: 366_666_666, duration: 33_333_334))
        #expect(grid.place(timestamp: 400_000_000) == .place(timestamp: 400_000_000, duration: 33_333_333))
    }

    @Test func aSecondFrameInTheSameSlotIsDropped() {
        var grid = FrameGrid()
        grid.rateChanged(numerator: 30, denominator: 1)
        #expect(grid.place(timestamp: 40_000_000) == .place(timestamp: 33_333_333, duration: 33_333_333))
        #expect(grid.place(timestamp: 60_000_000) == .drop)
        #expect(grid.place(timestamp: 70_000_000) == .place(timestamp: 66_666_666, duration: 33_333_334))
    }

    @Test func aLowerRateKeepsTimeMovingForward() {
        // The rate controller lowers 30 → 15 fps mid-stream.
        var grid = FrameGrid()
        grid.rateChanged(numerator: 30, denominator: 1)
        #expect(grid.place(timestamp: 1_000_000_000) == .place(timestamp: 1_000_000_000, duration: 33_333_333))
        grid.rateChanged(numerator: 15, denominator: 1)
        #expect(grid.place(timestamp: 1_033_333_333) == .drop)
        #expect(grid.place(timestamp: 1_066_666_666) == .place(timestamp: 1_066_666_666, duration: 66_666_667))
    }

    @Test func aVariableRateTurnsPlacingOff() {
        var grid = FrameGrid()
        grid.rateChanged(numerator: 0, denominator: 1)
        #expect(grid.place(timestamp: 5) == .pass)
    }

    @Test func hoursIntoAShareAtNTSCRatesDoNotOverflow() {
        var grid = FrameGrid()
        grid.rateChanged(numerator: 30000, denominator: 1001)
        let tenHours: UInt64 = 36_000 * 1_000_000_000
        guard case let .place(timestamp, duration) = grid.place(timestamp: tenHours) else {
            Issue.record("not placed")
            return
        }
        #expect(timestamp <= tenHours && tenHours - timestamp < frame + 1)
        #expect(duration == 33_366_666 || duration == 33_366_667)
    }
}
