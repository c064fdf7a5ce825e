import XCTest
@testable import PixelpassMedia

/// The clock code on synthetic planes: exact round trips, then the damage a
/// real encoder and scaler do (noise, blur, resizing), then corruption the
/// checksum must catch.
final class ClockCodeTests: XCTestCase {
    private let sample = ClockCode(timeMicros: 0x0123_4567_89AB_CDEF, frame: 0xDEAD_BEEF)

    func testRoundTripAtSeveralSizes() {
        let sizes = [(64, 48), (320, 180), (640, 360), (1280, 720), (1920, 1080), (1366, 768), (3840, 2160)]
        for (width, height) in sizes {
            for code in [sample, ClockCode(timeMicros: 0, frame: 0), ClockCode(timeMicros: .max, frame: .max)] {
                let frame = SyntheticI420(width: width, height: height, stride: width + 32)
                frame.paint(code)
                XCTAssertEqual(frame.read(), code, "round trip failed at \(width)x\(height)")
            }
        }
    }

    func testPaintLeavesChromaNeutralOverTheGridOnly() {
        let frame = SyntheticI420(width: 640, height: 360, stride: 640, chromaFill: 90)
        frame.paint(sample)
        let band = ClockCode.bandHeight(360) / 2
        XCTAssertEqual(frame.u[0], 128)
        XCTAssertEqual(frame.v[(band - 1) * 320 + 319], 128)
        XCTAssertEqual(frame.u[band * 320], 90, "chroma below the grid must stay as it was")
        XCTAssertEqual(frame.luma[359 * 640], 0, "luma below the grid must stay as it was")
    }

    func testSurvivesNoise() {
        var generator = ClockCodeNoise(seed: 7)
        for (width, height) in [(640, 360), (1280, 720)] {
            let frame = SyntheticI420(width: width, height: height, stride: width)
            frame.paint(sample)
            for index in frame.luma.indices {
                let noise = Int(generator.next() % 81) - 40
                frame.luma[index] = UInt8(clamping: Int(frame.luma[index]) + noise)
            }
            XCTAssertEqual(frame.read(), sample, "±40 luma noise broke the code at \(width)x\(height)")
        }
    }

    func testSurvivesBlurAndNoise() {
        var generator = ClockCodeNoise(seed: 11)
        let frame = SyntheticI420(width: 640, height: 360, stride: 640)
        frame.paint(sample)
        frame.boxBlur(radius: 2)
        for index in frame.luma.indices {
            frame.luma[index] = UInt8(clamping: Int(frame.luma[index]) + Int(generator.next() % 81) - 40)
        }
        XCTAssertEqual(frame.read(), sample)
    }

    func testSurvivesScalingToOtherSizes() {
        let source = SyntheticI420(width: 1920, height: 1080, stride: 1920)
        source.paint(sample)
        for (width, height) in [(1280, 720), (854, 480), (320, 180), (2560, 1440), (1000, 1000)] {
            let scaled = source.scaled(toWidth: width, height: height)
            scaled.boxBlur(radius: 1)
            XCTAssertEqual(scaled.read(), sample, "scaling 1920x1080 to \(width)x\(height) broke the code")
        }
    }

    func testSurvivesFullRangeAndLowContrast() {
        let frame = SyntheticI420(width: 640, height: 360, stride: 640)
        frame.paint(sample)
        // Video range stretched to full range, then squeezed to a dim picture.
        for index in frame.luma.indices {
            let full = (Int(frame.luma[index]) - 16) * 255 / 219
            frame.luma[index] = UInt8(clamping: 60 + full * 80 / 255)
        }
        XCTAssertEqual(frame.read(), sample)
    }

    func testChecksumRejectsAnyFlippedCell() {
        let width = 640, height = 360
        let clean = SyntheticI420(width: width, height: height, stride: width)
        clean.paint(sample)
        let bandHeight = ClockCode.bandHeight(height)
        for cell in ClockCode.columns..<(ClockCode.rows * ClockCode.columns) {
            let frame = clean.copy()
            let row = cell / ClockCode.columns, column = cell % ClockCode.columns
            let y0 = ClockCode.edge(row, of: ClockCode.rows, across: bandHeight)
            let y1 = ClockCode.edge(row + 1, of: ClockCode.rows, across: bandHeight)
            let x0 = ClockCode.edge(column, of: ClockCode.columns, across: width)
            let x1 = ClockCode.edge(column + 1, of: ClockCode.columns, across: width)
            for y in y0..<y1 {
                for x in x0..<x1 {
                    let value = frame.luma[y * width + x]
                    frame.luma[y * width + x] = value == ClockCode.whiteLuma ? ClockCode.blackLuma : ClockCode.whiteLuma
                }
            }
            XCTAssertNil(frame.read(), "a flipped cell \(cell) was not detected")
        }
    }

    func testFramesWithoutACodeReadAsNil() {
        let black = SyntheticI420(width: 1280, height: 720, stride: 1280)
        _ = black.luma.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 16) }
        XCTAssertNil(black.read())
        var generator = ClockCodeNoise(seed: 3)
        let random = SyntheticI420(width: 1280, height: 720, stride: 1280)
        for index in random.luma.indices {
            random.luma[index] = UInt8(truncatingIfNeeded: generator.next())
        }
        XCTAssertNil(random.read())
        XCTAssertNil(SyntheticI420(width: 32, height: 32, stride: 32).read(), "too small to hold a code")
    }

    func testPayloadIsBigEndianTimeFrameThenCRC() {
        let bits = ClockCode.payloadBits(for: ClockCode(timeMicros: 1, frame: 0x8000_0000))
        XCTAssertEqual(bits.count, 112)
        XCTAssertEqual(bits[63], true)
        XCTAssertEqual(bits[64], true)
        XCTAssertEqual(bits.prefix(63).filter { $0 }.count, 0)
        // CRC-16/CCITT-FALSE check value.
        XCTAssertEqual(ClockCode.crc16(Array("123456789".utf8)), 0x29B1)
    }
}

/// An I420 frame in Swift arrays, with the damage helpers the tests use.
final class SyntheticI420 {
    let width: Int, height: Int, stride: Int
    var luma: [UInt8]
    var u: [UInt8]
    var v: [UInt8]

    init(width: Int, height: Int, stride: Int, chromaFill: UInt8 = 128) {
        self.width = width
        self.height = height
        self.stride = stride
        luma = [UInt8](repeating: 0, count: stride * height)
        u = [UInt8](repeating: chromaFill, count: (width / 2) * (height / 2))
        v = u
    }

    func copy() -> SyntheticI420 {
        let other = SyntheticI420(width: width, height: height, stride: stride)
        other.luma = luma
        other.u = u
        other.v = v
        return other
    }

    func paint(_ code: ClockCode) {
        let chromaWidth = width / 2, chromaHeight = height / 2
        luma.withUnsafeMutableBytes { lumaBytes in
            u.withUnsafeMutableBytes { uBytes in
                v.withUnsafeMutableBytes { vBytes in
                    code.paint(into: lumaBytes, stride: stride, width: width, height: height, chroma: [
                        .init(bytes: uBytes, stride: chromaWidth, width: chromaWidth, height: chromaHeight),
                        .init(bytes: vBytes, stride: chromaWidth, width: chromaWidth, height: chromaHeight),
                    ])
                }
            }
        }
    }

    func read() -> ClockCode? {
        luma.withUnsafeBytes { ClockCode.read(luma: $0, stride: stride, width: width, height: height) }
    }

    /// A separable box blur over (2 × radius + 1) pixels each way.
    func boxBlur(radius: Int) {
        var out = luma
        for y in 0..<height {
            for x in 0..<width {
                var sum = 0, count = 0
                for dx in -radius...radius where (0..<width).contains(x + dx) {
                    sum += Int(luma[y * stride + x + dx])
                    count += 1
                }
                out[y * stride + x] = UInt8(sum / count)
            }
        }
        luma = out
        for y in 0..<height {
            for x in 0..<width {
                var sum = 0, count = 0
                for dy in -radius...radius where (0..<height).contains(y + dy) {
                    sum += Int(out[(y + dy) * stride + x])
                    count += 1
                }
                luma[y * stride + x] = UInt8(sum / count)
            }
        }
    }

    /// Bilinear resampling of the luma plane.
    func scaled(toWidth newWidth: Int, height newHeight: Int) -> SyntheticI420 {
        let result = SyntheticI420(width: newWidth, height: newHeight, stride: newWidth)
        for y in 0..<newHeight {
            let sy = max(0, (Double(y) + 0.5) * Double(height) / Double(newHeight) - 0.5)
            let y0 = min(height - 1, Int(sy)), y1 = min(height - 1, y0 + 1), fy = sy - Double(y0)
            for x in 0..<newWidth {
                let sx = max(0, (Double(x) + 0.5) * Double(width) / Double(newWidth) - 0.5)
                let x0 = min(width - 1, Int(sx)), x1 = min(width - 1, x0 + 1), fx = sx - Double(x0)
                let top = Double(luma[y0 * stride + x0]) * (1 - fx) + Double(luma[y0 * stride + x1]) * fx
                let bottom = Double(luma[y1 * stride + x0]) * (1 - fx) + Double(luma[y1 * stride + x1]) * fx
                result.luma[y * newWidth + x] = UInt8((top * (1 - fy) + bottom * fy).rounded())
            }
        }
        return result
    }
}

/// A small deterministic generator so the noise tests never flake.
struct ClockCodeNoise {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
