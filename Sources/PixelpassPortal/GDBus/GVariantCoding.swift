import CGio

/// Converts `DBusValue`s to and from GVariants at the GDBus boundary.
enum GVariantCoding {
    /// A new floating GVariant; GDBus calls consume the floating reference.
    static func make(_ value: DBusValue) -> OpaquePointer {
        switch value {
        case let .string(s): return g_variant_new_string(s)
        case let .objectPath(p): return g_variant_new_object_path(p)
        case let .bool(b): return g_variant_new_boolean(b ? 1 : 0)
        case let .int32(v): return g_variant_new_int32(v)
        case let .uint32(v): return g_variant_new_uint32(v)
        case let .int64(v): return g_variant_new_int64(gint64(v))
        case let .uint64(v): return g_variant_new_uint64(guint64(v))
        case let .double(v): return g_variant_new_double(v)
        case let .variant(inner): return g_variant_new_variant(make(inner))
        case let .tuple(items):
            var children: [OpaquePointer?] = items.map { make($0) }
            return g_variant_new_tuple(&children, gsize(children.count))
        case let .array(elementType, items):
            let type = g_variant_type_new(elementType)
            defer { g_variant_type_free(type) }
            var children: [OpaquePointer?] = items.map { make($0) }
            return g_variant_new_array(type, &children, gsize(children.count))
        case let .vardict(entries):
            let builder = g_variant_builder_new(ppgio_variant_type("a{sv}"))
            defer { g_variant_builder_unref(builder) }
            for (key, entry) in entries {
                let inner: DBusValue
                if case let .variant(wrapped) = entry { inner = wrapped } else { inner = entry }
                g_variant_builder_add_value(builder, g_variant_new_dict_entry(g_variant_new_string(key),
                                                                              g_variant_new_variant(make(inner))))
            }
            return g_variant_builder_end(builder)
        case let .other(type, text):
            // Only reached when echoing a value read earlier.
            let parsedType = g_variant_type_new(type)
            defer { g_variant_type_free(parsedType) }
            return g_variant_parse(parsedType, text, nil, nil, nil) ?? g_variant_new_string(text)
        }
    }

    /// Reads a GVariant without taking its reference.
    static func read(_ variant: OpaquePointer) -> DBusValue {
        let type = String(cString: g_variant_get_type_string(variant))
        switch type {
        case "s": return .string(String(cString: g_variant_get_string(variant, nil)))
        case "o": return .objectPath(String(cString: g_variant_get_string(variant, nil)))
        case "b": return .bool(g_variant_get_boolean(variant) != 0)
        case "i": return .int32(g_variant_get_int32(variant))
        case "u": return .uint32(g_variant_get_uint32(variant))
        case "x": return .int64(Int64(g_variant_get_int64(variant)))
        case "t": return .uint64(UInt64(g_variant_get_uint64(variant)))
        case "d": return .double(g_variant_get_double(variant))
        case "v":
            let inner = g_variant_get_variant(variant)!
            defer { g_variant_unref(inner) }
            return .variant(read(inner))
        case "a{sv}":
            return .vardict(children(of: variant).compactMap { entry in
                guard case let .tuple(pair) = entry, pair.count == 2, case let .string(key) = pair[0] else { return nil }
                return (key, pair[1])
            })
        default:
            if type.hasPrefix("a") {
                return .array(elementType: String(type.dropFirst()), children(of: variant))
            }
            if type.hasPrefix("(") || type.hasPrefix("{") {
                return .tuple(children(of: variant))
            }
            let text = g_variant_print(variant, 0)
            defer { g_free(text) }
            return .other(type: type, text: text.map { String(cString: $0) } ?? "")
        }
    }

    private static func children(of variant: OpaquePointer) -> [DBusValue] {
        (0..<g_variant_n_children(variant)).map { index in
            let child = g_variant_get_child_value(variant, index)!
            defer { g_variant_unref(child) }
            return read(child)
        }
    }
}
