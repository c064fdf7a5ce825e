/// Why bytes are not one complete bencoded value.
public enum BencodeError: Error, Hashable, Sendable {
    /// The input ended inside a value.
    case truncated
    /// A byte that cannot start or continue a value here (offset into the input).
    case unexpectedByte(at: Int)
    /// An integer or length with a leading zero, "-0", or out of range.
    case badNumber(at: Int)
    /// The same dictionary key twice.
    case duplicateKey(at: Int)
    /// Nesting deeper than the limit.
    case tooDeep
    /// Input longer than the limit.
    case tooLarge
    /// A complete value followed by more bytes.
    case trailingBytes(at: Int)
    /// A complete value that is not a dictionary (KRPC messages are).
    case notADictionary
}

/// The strict decoder and the hot-path pre-check.
public enum Bencode {
    public struct Limits: Hashable, Sendable {
        public var maxDepth: Int
        public var maxBytes: Int

        public init(maxDepth: Int = 24, maxBytes: Int = 65_536) {
            self.maxDepth = maxDepth
            self.maxBytes = maxBytes
        }
    }

    /// Whether a datagram may be a KRPC message, without parsing it: a
    /// dictionary whose first key is one or two characters long ("d1:a",
    /// "d1:e", "d1:r", "d1:t", or "d2:ip" for BEP 42 replies) that ends in
    /// "e". QUIC short headers may also start with 0x64, so a true answer
    /// still needs `decodeDictionary`.
    public static func isPlausibleKRPC(_ datagram: UnsafeRawBufferPointer) -> Bool {
        guard datagram.count >= 8 else { return false }
        let second = datagram[1]
        return datagram[0] == UInt8(ascii: "d")
            && (second == UInt8(ascii: "1") || second == UInt8(ascii: "2"))
            && datagram[2] == UInt8(ascii: ":")
            && datagram[datagram.count - 1] == UInt8(ascii: "e")
    }

    public static func isPlausibleKRPC(_ datagram: [UInt8]) -> Bool {
        datagram.withUnsafeBytes { isPlausibleKRPC($0) }
    }

    /// Exactly one value, nothing after it.
    public static func decode(_ bytes: [UInt8], limits: Limits = Limits()) throws(BencodeError) -> BencodeValue {
        guard bytes.count <= limits.maxBytes else { throw .tooLarge }
        var parser = Parser(bytes: bytes, maxDepth: limits.maxDepth)
        let value = try parser.value(depth: 0)
        guard parser.index == bytes.count else { throw .trailingBytes(at: parser.index) }
        return value
    }

    /// Exactly one dictionary, nothing after it.
    public static func decodeDictionary(_ bytes: [UInt8], limits: Limits = Limits())
        throws(BencodeError) -> [[UInt8]: BencodeValue] {
        guard bytes.first == UInt8(ascii: "d") else {
            if bytes.isEmpty { throw .truncated }
            throw .notADictionary
        }
        guard case .dictionary(let entries) = try decode(bytes, limits: limits) else { throw .notADictionary }
        return entries
    }

    private struct Parser {
        let bytes: [UInt8]
        let maxDepth: Int
        var index = 0

        init(bytes: [UInt8], maxDepth: Int) {
            self.bytes = bytes
            self.maxDepth = maxDepth
        }

        mutating func value(depth: Int) throws(BencodeError) -> BencodeValue {
            guard index < bytes.count else { throw .truncated }
            switch bytes[index] {
            case UInt8(ascii: "i"):
                index += 1
                let value = try number(until: UInt8(ascii: "e"), allowNegative: true)
                return .integer(value)
            case UInt8(ascii: "l"):
                guard depth < maxDepth else { throw .tooDeep }
                index += 1
                var items: [BencodeValue] = []
                while true {
                    guard index < bytes.count else { throw .truncated }
                    if bytes[index] == UInt8(ascii: "e") { index += 1; return .list(items) }
                    items.append(try value(depth: depth + 1))
                }
            case UInt8(ascii: "d"):
                guard depth < maxDepth else { throw .tooDeep }
                index += 1
                var entries: [[UInt8]: BencodeValue] = [:]
                while true {
                    guard index < bytes.count else { throw .truncated }
                    if bytes[index] == UInt8(ascii: "e") { index += 1; return .dictionary(entries) }
                    let keyAt = index
                    guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else {
                        throw .unexpectedByte(at: index)
                    }
                    let key = try byteString()
                    // Unsorted keys are accepted (some nodes send them);
                    // repeated ones are not, since they make the meaning unclear.
                    guard entries[key] == nil else { throw .duplicateKey(at: keyAt) }
                    entries[key] = try value(depth: depth + 1)
                }
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                return .bytes(try byteString())
            default:
                throw .unexpectedByte(at: index)
            }
        }

        mutating func byteString() throws(BencodeError) -> [UInt8] {
            let length = try number(until: UInt8(ascii: ":"), allowNegative: false)
            guard length <= Int64(bytes.count - index) else { throw .truncated }
            let end = index + Int(length)
            defer { index = end }
            return Array(bytes[index..<end])
        }

        /// Digits up to `terminator`, which is consumed. No leading zeros, no "-0".
        mutating func number(until terminator: UInt8, allowNegative: Bool) throws(BencodeError) -> Int64 {
            let start = index
            var negative = false
            if allowNegative, index < bytes.count, bytes[index] == UInt8(ascii: "-") {
                negative = true
                index += 1
            }
            let digitsStart = index
            var magnitude: UInt64 = 0
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(UInt64(bytes[index] - UInt8(ascii: "0")))
                guard !overflow1, !overflow2 else { throw .badNumber(at: start) }
                magnitude = sum
                index += 1
            }
            guard index < bytes.count else { throw .truncated }
            guard bytes[index] == terminator else { throw .unexpectedByte(at: index) }
            let digitCount = index - digitsStart
            guard digitCount > 0 else { throw .badNumber(at: start) }
            if digitCount > 1, bytes[digitsStart] == UInt8(ascii: "0") { throw .badNumber(at: start) }
            if negative, magnitude == 0 { throw .badNumber(at: start) }
            index += 1
            if negative {
                guard magnitude <= UInt64(Int64.max) + 1 else { throw .badNumber(at: start) }
                return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
            }
            guard magnitude <= UInt64(Int64.max) else { throw .badNumber(at: start) }
            return Int64(magnitude)
        }
    }
}
