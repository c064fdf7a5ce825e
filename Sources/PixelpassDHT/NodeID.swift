/// A 160-bit DHT identifier: a node id, an info-hash or a BEP 44 target.
/// Ordered as a big-endian number, so `a.distance(to: t) < b.distance(to: t)`
/// says that `a` is closer to `t` than `b` is (Kademlia's XOR metric).
public struct NodeID: Hashable, Comparable, Sendable {
    // Big-endian words: bytes 0–7, 8–15, 16–19.
    private var high: UInt64
    private var middle: UInt64
    private var low: UInt32

    public static let byteCount = 20
    /// All ones: no distance is larger.
    static let farthest = NodeID(high: .max, middle: .max, low: .max)

    /// Exactly 20 bytes.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == NodeID.byteCount else { return nil }
        let array = Array(bytes)
        high = array[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
        middle = array[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
        low = array[16..<20].reduce(0) { $0 << 8 | UInt32($1) }
    }

    private init(high: UInt64, middle: UInt64, low: UInt32) {
        self.high = high
        self.middle = middle
        self.low = low
    }

    public static func random(using generator: inout some RandomNumberGenerator) -> NodeID {
        NodeID(high: generator.next(), middle: generator.next(), low: UInt32(truncatingIfNeeded: generator.next()))
    }

    public var bytes: [UInt8] {
        bigEndian(high, count: 8) + bigEndian(middle, count: 8) + bigEndian(UInt64(low), count: 4)
    }

    /// The XOR distance, itself a 160-bit number.
    public func distance(to other: NodeID) -> NodeID {
        NodeID(high: high ^ other.high, middle: middle ^ other.middle, low: low ^ other.low)
    }

    /// Whether `self` is strictly closer to `target` than `other` is.
    public func isCloser(to target: NodeID, than other: NodeID) -> Bool {
        distance(to: target) < other.distance(to: target)
    }

    public static func < (lhs: NodeID, rhs: NodeID) -> Bool {
        (lhs.high, lhs.middle, lhs.low) < (rhs.high, rhs.middle, rhs.low)
    }
}

extension NodeID: CustomStringConvertible {
    public var description: String { bytes.hexString }
}

func bigEndian(_ value: UInt64, count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64(count - 1 - $0))) }
}

extension Sequence<UInt8> {
    var hexString: String {
        let digits = Array("0123456789abcdef")
        return String(flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] })
    }
}
