/// A D-Bus value as the portal calls use them. The handshake is written
/// against these plain values so tests need no bus; `GVariantCoding`
/// converts them at the GDBus boundary.
public indirect enum DBusValue: Equatable, Sendable {
    case string(String)
    case objectPath(String)
    case bool(Bool)
    case int32(Int32)
    case uint32(UInt32)
    case int64(Int64)
    case uint64(UInt64)
    case double(Double)
    /// `v`: a value that carries its own type.
    case variant(DBusValue)
    /// `(…)`.
    case tuple([DBusValue])
    /// `aT`; the element type is kept so an empty array still has one.
    case array(elementType: String, [DBusValue])
    /// `a{sv}`, the portal's options and results dictionaries, in order.
    case vardict([(String, DBusValue)])
    /// Any other type, kept as GVariant's text form for messages.
    case other(type: String, text: String)

    public static func == (lhs: DBusValue, rhs: DBusValue) -> Bool {
        switch (lhs, rhs) {
        case let (.string(a), .string(b)), let (.objectPath(a), .objectPath(b)): return a == b
        case let (.bool(a), .bool(b)): return a == b
        case let (.int32(a), .int32(b)): return a == b
        case let (.uint32(a), .uint32(b)): return a == b
        case let (.int64(a), .int64(b)): return a == b
        case let (.uint64(a), .uint64(b)): return a == b
        case let (.double(a), .double(b)): return a == b
        case let (.variant(a), .variant(b)): return a == b
        case let (.tuple(a), .tuple(b)): return a == b
        case let (.array(ta, a), .array(tb, b)): return ta == tb && a == b
        case let (.vardict(a), .vardict(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case let (.other(ta, a), .other(tb, b)): return ta == tb && a == b
        default: return false
        }
    }

    /// The GVariant type string of this value.
    public var typeString: String {
        switch self {
        case .string: return "s"
        case .objectPath: return "o"
        case .bool: return "b"
        case .int32: return "i"
        case .uint32: return "u"
        case .int64: return "x"
        case .uint64: return "t"
        case .double: return "d"
        case .variant: return "v"
        case let .tuple(items): return "(" + items.map(\.typeString).joined() + ")"
        case let .array(elementType, _): return "a" + elementType
        case .vardict: return "a{sv}"
        case let .other(type, _): return type
        }
    }

    // MARK: - Reading results

    /// The value inside any number of variant wrappers.
    public var unwrapped: DBusValue {
        if case let .variant(inner) = self { return inner.unwrapped }
        return self
    }

    /// A key of an `a{sv}` dictionary, unwrapped.
    public subscript(key: String) -> DBusValue? {
        guard case let .vardict(entries) = unwrapped else { return nil }
        return entries.first(where: { $0.0 == key })?.1.unwrapped
    }

    public var stringValue: String? {
        switch unwrapped {
        case let .string(s), let .objectPath(s): return s
        default: return nil
        }
    }

    public var uint32Value: UInt32? {
        switch unwrapped {
        case let .uint32(v): return v
        case let .int32(v) where v >= 0: return UInt32(v)
        default: return nil
        }
    }

    public var int32Value: Int32? {
        switch unwrapped {
        case let .int32(v): return v
        case let .uint32(v) where v <= UInt32(Int32.max): return Int32(v)
        default: return nil
        }
    }

    /// The items of an array or tuple.
    public var items: [DBusValue]? {
        switch unwrapped {
        case let .array(_, items), let .tuple(items): return items
        default: return nil
        }
    }
}
