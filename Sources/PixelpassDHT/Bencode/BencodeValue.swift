/// A bencoded value (BEP 3): integers, byte strings, lists and dictionaries
/// whose keys are byte strings. Dictionaries encode with their keys sorted
/// as raw bytes, as the format requires, so equal values encode equally
/// (BEP 44 signatures cover encoded bytes).
public enum BencodeValue: Hashable, Sendable {
    case integer(Int64)
    case bytes([UInt8])
    case list([BencodeValue])
    case dictionary([[UInt8]: BencodeValue])

    /// A byte string from UTF-8 text (keys, method names).
    public static func string(_ text: String) -> BencodeValue { .bytes(Array(text.utf8)) }

    public var encoded: [UInt8] {
        var output: [UInt8] = []
        encode(into: &output)
        return output
    }

    public func encode(into output: inout [UInt8]) {
        switch self {
        case .integer(let value):
            output.append(UInt8(ascii: "i"))
            output.append(contentsOf: String(value).utf8)
            output.append(UInt8(ascii: "e"))
        case .bytes(let bytes):
            output.append(contentsOf: String(bytes.count).utf8)
            output.append(UInt8(ascii: ":"))
            output.append(contentsOf: bytes)
        case .list(let items):
            output.append(UInt8(ascii: "l"))
            for item in items { item.encode(into: &output) }
            output.append(UInt8(ascii: "e"))
        case .dictionary(let entries):
            output.append(UInt8(ascii: "d"))
            for key in entries.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                BencodeValue.bytes(key).encode(into: &output)
                entries[key]!.encode(into: &output)
            }
            output.append(UInt8(ascii: "e"))
        }
    }

    // Accessors used by the KRPC decoder; nil when the shape differs.

    var integerValue: Int64? {
        if case .integer(let value) = self { value } else { nil }
    }

    var bytesValue: [UInt8]? {
        if case .bytes(let bytes) = self { bytes } else { nil }
    }

    var listValue: [BencodeValue]? {
        if case .list(let items) = self { items } else { nil }
    }

    var dictionaryValue: [[UInt8]: BencodeValue]? {
        if case .dictionary(let entries) = self { entries } else { nil }
    }
}

extension Dictionary where Key == [UInt8], Value == BencodeValue {
    /// Lookup by an ASCII key.
    subscript(key: String) -> BencodeValue? {
        get { self[Array(key.utf8)] }
        set { self[Array(key.utf8)] = newValue }
    }
}
