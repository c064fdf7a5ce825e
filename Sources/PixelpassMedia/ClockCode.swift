#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A capture time and frame number drawn into a video frame as a grid of
/// large black and white cells, for measuring capture→decoded latency.
///
/// Layout: a 16 × 8 grid over the full width and the top three quarters of
/// the frame (every size is a fraction of the frame, so the code survives
/// scaling). Row 0 is a reference row of alternating white and black cells;
/// the reader takes its threshold halfway between their means, so a changed
/// range (limited vs full) or contrast does not matter. Rows 1–7 carry 112
/// bits, most significant first: 64 bits of CLOCK_MONOTONIC in microseconds,
/// the 32-bit frame counter, and a CRC-16/CCITT over those 12 bytes.
///
/// Why it survives compression: each cell is tens of pixels on a side and
/// flat, so even x264 ultrafast at 1 Mbit/s codes it exactly apart from
/// ringing at the edges, and the reader only averages the middle half of a
/// cell in each direction. White is luma 235 and black 16 (video range) with
/// neutral chroma, the two values every converter keeps far apart.
public struct ClockCode: Equatable, Sendable {
    /// CLOCK_MONOTONIC at capture, in microseconds.
    public var timeMicros: UInt64
    /// Counts frames from 0 since the painter started.
    public var frame: UInt32

    public init(timeMicros: UInt64, frame: UInt32) {
        self.timeMicros = timeMicros
        self.frame = frame
    }

    public static let columns = 16
    public static let rows = 8
    /// The grid's height as a fraction of the frame height.
    public static let bandNumerator = 3, bandDenominator = 4
    public static let whiteLuma: UInt8 = 235
    public static let blackLuma: UInt8 = 16
    public static let neutralChroma: UInt8 = 128
    /// The narrowest picture the reader accepts: cells of 4 px and more.
    public static let minimumWidth = 64, minimumHeight = 48
    /// Reference cells whose white and black means are closer than this are
    /// not a code (a black frame, a frame without a code).
    static let minimumContrast = 48

    static let dataBits = 64 + 32
    static let checksumBits = 16
    static let payloadBits = dataBits + checksumBits

    /// One chroma plane of a planar YUV frame (I420 has two).
    public struct ChromaPlane {
        public var bytes: UnsafeMutableRawBufferPointer
        public var stride: Int
        public var width: Int
        public var height: Int

        public init(bytes: UnsafeMutableRawBufferPointer, stride: Int, width: Int, height: Int) {
            self.bytes = bytes
            self.stride = stride
            self.width = width
            self.height = height
        }
    }

    // MARK: - Painting

    /// Draws this code into a frame: the luma plane gets the cells, each
    /// chroma plane gets neutral grey over the grid's area (the plane's own
    /// size gives its subsampling).
    public func paint(into luma: UnsafeMutableRawBufferPointer, stride: Int, width: Int, height: Int,
                      chroma: [ChromaPlane] = []) {
        guard width >= Self.minimumWidth, height >= Self.minimumHeight,
              stride >= width, luma.count >= stride * (height - 1) + width else { return }
        let cells = Self.cellValues(for: self)
        let bandHeight = Self.bandHeight(height)
        for row in 0..<Self.rows {
            let y0 = Self.edge(row, of: Self.rows, across: bandHeight)
            let y1 = Self.edge(row + 1, of: Self.rows, across: bandHeight)
            for y in y0..<y1 {
                let line = y * stride
                for column in 0..<Self.columns {
                    let x0 = Self.edge(column, of: Self.columns, across: width)
                    let x1 = Self.edge(column + 1, of: Self.columns, across: width)
                    let value = cells[row * Self.columns + column] ? Self.whiteLuma : Self.blackLuma
                    let start = line + x0
                    UnsafeMutableRawBufferPointer(rebasing: luma[start..<(line + x1)])
                        .initializeMemory(as: UInt8.self, repeating: value)
                }
            }
        }
        for plane in chroma {
            guard plane.width > 0, plane.height > 0, plane.stride >= plane.width,
                  plane.bytes.count >= plane.stride * (plane.height - 1) + plane.width else { continue }
            // Round the band up in the subsampled plane so no tinted line
            // remains under the last row of cells.
            let rowsInPlane = min(plane.height, (bandHeight * plane.height + height - 1) / height)
            for y in 0..<rowsInPlane {
                let start = y * plane.stride
                UnsafeMutableRawBufferPointer(rebasing: plane.bytes[start..<(start + plane.width)])
                    .initializeMemory(as: UInt8.self, repeating: Self.neutralChroma)
            }
        }
    }

    // MARK: - Reading

    /// Reads a code from a luma (or GRAY8) plane of any size; nil when the
    /// frame carries no code or the checksum does not match.
    public static func read(luma: UnsafeRawBufferPointer, stride: Int, width: Int, height: Int) -> ClockCode? {
        guard width >= minimumWidth, height >= minimumHeight,
              stride >= width, luma.count >= stride * (height - 1) + width else { return nil }
        let bandHeight = bandHeight(height)
        var means = [Int](repeating: 0, count: rows * columns)
        for row in 0..<rows {
            let (y0, y1) = centralHalf(edge(row, of: rows, across: bandHeight), edge(row + 1, of: rows, across: bandHeight))
            for column in 0..<columns {
                let (x0, x1) = centralHalf(edge(column, of: columns, across: width), edge(column + 1, of: columns, across: width))
                var sum = 0
                for y in y0..<y1 {
                    let line = y * stride
                    for x in x0..<x1 {
                        sum += Int(luma[line + x])
                    }
                }
                means[row * columns + column] = sum / max(1, (y1 - y0) * (x1 - x0))
            }
        }

        // Row 0: white, black, white, … Threshold halfway between the two.
        var whiteSum = 0, blackSum = 0
        for column in 0..<columns {
            if column % 2 == 0 { whiteSum += means[column] } else { blackSum += means[column] }
        }
        let white = whiteSum / (columns / 2), black = blackSum / (columns / 2)
        guard white - black >= minimumContrast else { return nil }
        let threshold = (white + black) / 2
        for column in 0..<columns where (means[column] > threshold) != (column % 2 == 0) {
            return nil
        }

        var bits = [Bool]()
        bits.reserveCapacity(payloadBits)
        for index in columns..<(rows * columns) {
            bits.append(means[index] > threshold)
        }
        return decode(bits: bits)
    }

    // MARK: - Bits

    /// The cell colours, row-major, `true` for white: the reference row,
    /// then the payload bits.
    static func cellValues(for code: ClockCode) -> [Bool] {
        var cells = (0..<columns).map { $0 % 2 == 0 }
        cells += payloadBits(for: code)
        return cells
    }

    /// The 112 payload bits, most significant first.
    static func payloadBits(for code: ClockCode) -> [Bool] {
        let bytes = dataBytes(for: code)
        let checksum = crc16(bytes)
        var bits = [Bool]()
        bits.reserveCapacity(payloadBits)
        for byte in bytes {
            for shift in stride(from: 7, through: 0, by: -1) {
                bits.append(byte >> UInt8(shift) & 1 == 1)
            }
        }
        for shift in stride(from: 15, through: 0, by: -1) {
            bits.append(checksum >> UInt16(shift) & 1 == 1)
        }
        return bits
    }

    static func decode(bits: [Bool]) -> ClockCode? {
        guard bits.count == payloadBits else { return nil }
        var bytes = [UInt8](repeating: 0, count: dataBits / 8)
        for index in 0..<dataBits where bits[index] {
            bytes[index / 8] |= 0x80 >> UInt8(index % 8)
        }
        var checksum: UInt16 = 0
        for index in dataBits..<payloadBits {
            checksum = checksum << 1 | (bits[index] ? 1 : 0)
        }
        guard checksum == crc16(bytes) else { return nil }
        let time = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let frame = bytes[8..<12].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return ClockCode(timeMicros: time, frame: frame)
    }

    static func dataBytes(for code: ClockCode) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(dataBits / 8)
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: code.timeMicros >> UInt64(shift)))
        }
        for shift in stride(from: 24, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: code.frame >> UInt32(shift)))
        }
        return bytes
    }

    /// CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF): any single
    /// wrong cell, and any burst of up to 16, changes it.
    static func crc16(_ bytes: [UInt8]) -> UInt16 {
        var crc: UInt16 = 0xFFFF
        for byte in bytes {
            crc ^= UInt16(byte) << 8
            for _ in 0..<8 {
                crc = crc & 0x8000 != 0 ? crc << 1 ^ 0x1021 : crc << 1
            }
        }
        return crc
    }

    // MARK: - Geometry

    static func bandHeight(_ height: Int) -> Int {
        height * bandNumerator / bandDenominator
    }

    /// The first pixel of cell `index` when `count` cells share `length`
    /// pixels; rounded to even so cell edges fall on chroma sample edges.
    static func edge(_ index: Int, of count: Int, across length: Int) -> Int {
        index == count ? length : (index * length / count) & ~1
    }

    /// The middle half of [start, end): compression rings at cell edges and
    /// scaling blurs them, the middle stays flat.
    static func centralHalf(_ start: Int, _ end: Int) -> (Int, Int) {
        let quarter = (end - start) / 4
        let lower = start + quarter
        return (lower, max(lower + 1, end - quarter))
    }

    // MARK: - Clock

    /// CLOCK_MONOTONIC now, in microseconds: the clock both the painter and
    /// the reader use, so on one machine their difference is the latency.
    public static func monotonicMicros() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
    }
}
