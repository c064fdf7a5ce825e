/// A parsed TOML document reduced to what validation needs: plain values and
/// the line each key is on. Keeping the TOML library behind this type means
/// validation is pure Swift and the library can be swapped.
struct TOMLDocument: Equatable {
    indirect enum Value: Equatable {
        case string(String)
        case integer(Int)
        case float(Double)
        case boolean(Bool)
        case array([Value])
        case table([Entry])
        /// Dates and times, which no pixelpass setting takes; only the type
        /// name is kept for the error message.
        case other(typeName: String)
    }

    struct Entry: Equatable {
        let key: String
        let value: Value
        /// 1-based line of the key (or of the `[table]` header).
        let line: Int?
    }

    let root: [Entry]
}

extension TOMLDocument.Value {
    /// How a value appears in "(got …)" at the end of an error message.
    var shortDescription: String {
        switch self {
        case .string(let text): return "\"\(text)\""
        case .integer(let number): return String(number)
        case .float(let number): return String(number)
        case .boolean(let flag): return String(flag)
        case .array: return "an array"
        case .table: return "a table"
        case .other(let typeName): return "a \(typeName)"
        }
    }
}

/// A syntax error from the TOML parser, before the file path is known.
struct TOMLSyntaxError: Error, Equatable {
    let line: Int
    let column: Int?
    let message: String
}
