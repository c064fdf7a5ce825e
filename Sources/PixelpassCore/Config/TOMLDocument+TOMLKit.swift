internal import TOMLKit

// The only file that sees TOMLKit: it parses with toml++ (through TOMLKit)
// and copies the result into our own value types, adding key lines.
extension TOMLDocument {
    static func parse(_ text: String) throws(TOMLSyntaxError) -> TOMLDocument {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw TOMLSyntaxError(line: error.source.begin.line,
                                  column: error.source.begin.column > 0 ? error.source.begin.column : nil,
                                  message: error.description)
        } catch {
            throw TOMLSyntaxError(line: 1, column: nil, message: "\(error)")
        }
        let lines = TOMLKeyLines.scan(text)
        return TOMLDocument(root: entries(of: table, path: [], lines: lines))
    }

    private static func entries(of table: TOMLTable, path: [String], lines: [[String]: Int]) -> [Entry] {
        let unordered = table.map { key, value in
            Entry(key: key, value: convert(value, path: path + [key], lines: lines),
                  line: TOMLKeyLines.line(of: path + [key], in: lines))
        }
        // toml++ keeps keys sorted by name; put them back in file order so
        // problems are reported top to bottom.
        return unordered.sorted { ($0.line ?? .max, $0.key) < ($1.line ?? .max, $1.key) }
    }

    private static func convert(_ value: TOMLValueConvertible, path: [String], lines: [[String]: Int]) -> Value {
        switch value.type {
        case .table:
            guard let table = value.table else { return .other(typeName: "table") }
            return .table(entries(of: table, path: path, lines: lines))
        case .array:
            guard let array = value.array else { return .other(typeName: "array") }
            return .array(array.map { convert($0, path: path, lines: lines) })
        case .string:
            return value.string.map(Value.string) ?? .other(typeName: "string")
        case .int:
            return value.int.map(Value.integer) ?? .other(typeName: "integer")
        case .double:
            return value.double.map(Value.float) ?? .other(typeName: "floating-point number")
        case .bool:
            return value.bool.map(Value.boolean) ?? .other(typeName: "boolean")
        case .date:
            return .other(typeName: "date")
        case .time:
            return .other(typeName: "time")
        case .dateTime:
            return .other(typeName: "date-time")
        }
    }
}
