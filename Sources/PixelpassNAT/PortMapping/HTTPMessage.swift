/// `http://host[:port]/path` — enough URL for a router on the LAN (no
/// user info, no https: IGDs serve plain HTTP).
public struct HTTPURL: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: UInt16
    /// Path and query, starting with "/".
    public var path: String

    public init(host: String, port: UInt16 = 80, path: String = "/") {
        self.host = host
        self.port = port
        self.path = path
    }

    public init?(_ text: String) {
        let trimmed = text.trimmingASCIIWhitespace()
        guard trimmed.lowercased().hasPrefix("http://") else { return nil }
        let rest = trimmed.dropFirst("http://".count)
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = String(rest[authorityEnd...])
        if let hash = path.firstIndex(of: "#") { path = String(path[..<hash]) }
        if path.isEmpty || path.hasPrefix("?") { path = "/" + path }
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        var host = Substring(authority)
        var port: UInt16 = 80
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let parsed = UInt16(after.dropFirst()), parsed != 0 else { return nil }
                port = parsed
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            guard let parsed = UInt16(authority[authority.index(after: colon)...]), parsed != 0 else { return nil }
            port = parsed
        }
        guard !host.isEmpty, host.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else { return nil }
        self.init(host: String(host), port: port, path: path)
    }

    /// `reference` (absolute, or a path) against this URL, as a browser would
    /// for the simple forms IGDs use ("/ctl/IPConn", "ctl/IPConn", "http://…").
    public func resolving(_ reference: String) -> HTTPURL? {
        let reference = reference.trimmingASCIIWhitespace()
        if reference.lowercased().hasPrefix("http://") { return HTTPURL(reference) }
        guard !reference.contains("://") else { return nil }
        if reference.hasPrefix("/") { return HTTPURL(host: host, port: port, path: reference) }
        let directory = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let base = directory.lastIndex(of: "/").map { String(directory[...$0]) } ?? "/"
        return HTTPURL(host: host, port: port, path: base + reference)
    }

    /// The Host header's value.
    public var authority: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == 80 ? name : "\(name):\(port)"
    }

    public var description: String { "http://\(authority)\(path)" }
}

/// An HTTP/1.1 request for a router, sent whole over a fresh TCP connection
/// ("Connection: close", so the answer ends when the connection does).
public struct HTTPRequest: Hashable, Sendable {
    public var method: String
    public var url: HTTPURL
    public var headers: [String: String]
    public var body: [UInt8]

    public init(method: String, url: HTTPURL, headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    public func encode() -> [UInt8] {
        var text = "\(method) \(url.path) HTTP/1.1\r\nHost: \(url.authority)\r\nConnection: close\r\n"
        text += "User-Agent: Linux UPnP/1.1 pixelpass/1\r\n"
        for name in headers.keys.sorted() { text += "\(name): \(headers[name]!)\r\n" }
        if !body.isEmpty || method == "POST" { text += "Content-Length: \(body.count)\r\n" }
        text += "\r\n"
        return Array(text.utf8) + body
    }
}

/// An HTTP/1.x response read to the end of the connection.
public struct HTTPResponse: Hashable, Sendable {
    public var status: Int
    public var headers: [(String, String)] { head.headers }
    public var body: [UInt8]
    private let head: HTTPHead

    public func header(_ name: String) -> String? { head.header(name) }

    public static func == (lhs: HTTPResponse, rhs: HTTPResponse) -> Bool {
        lhs.status == rhs.status && lhs.body == rhs.body
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(status)
        hasher.combine(body)
    }

    public enum ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        case incompleteHead
        case notHTTP
        case badChunk
        case truncatedBody(expected: Int, got: Int)

        public var description: String {
            switch self {
            case .incompleteHead: return "the HTTP answer ended inside its header"
            case .notHTTP: return "not an HTTP answer"
            case .badChunk: return "malformed chunked HTTP body"
            case .truncatedBody(let expected, let got): return "HTTP body of \(got) bytes, \(expected) announced"
            }
        }
    }

    /// Parses everything the server sent before closing: status line,
    /// headers, and a body by Content-Length, chunked, or to the end.
    public static func parse(_ bytes: [UInt8]) throws(ParseError) -> HTTPResponse {
        guard let end = bytes.headEnd else { throw .incompleteHead }
        guard let head = HTTPHead(Array(bytes[..<end])), head.isResponse else { throw .notHTTP }
        var body = Array(bytes[end...])
        if head.header("transfer-encoding")?.lowercased().contains("chunked") == true {
            body = try dechunk(body)
        } else if let lengthText = head.header("content-length") {
            guard let length = Int(lengthText.trimmingASCIIWhitespace()), length >= 0 else { throw .notHTTP }
            guard body.count >= length else { throw .truncatedBody(expected: length, got: body.count) }
            body = Array(body.prefix(length))
        }
        return HTTPResponse(status: head.status, body: body, head: head)
    }

    private static func dechunk(_ bytes: [UInt8]) throws(ParseError) -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        while true {
            guard let lineEnd = bytes.firstCRLF(from: index) else { throw .badChunk }
            let sizeText = String(decoding: bytes[index..<lineEnd], as: UTF8.self)
                .split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0].trimmingASCIIWhitespace()
            guard let size = Int(sizeText, radix: 16), size >= 0 else { throw .badChunk }
            index = lineEnd + 2
            if size == 0 { return out }
            guard size <= bytes.count - index else { throw .badChunk }
            out += bytes[index..<index + size]
            index += size
            guard index + 2 <= bytes.count, bytes[index] == 13, bytes[index + 1] == 10 else { throw .badChunk }
            index += 2
        }
    }
}

/// The start line and headers of an HTTP (or SSDP) message.
struct HTTPHead: Hashable, Sendable {
    var startLine: String
    var headers: [(String, String)]
    /// The status code of a response, 0 for a request.
    var status: Int

    var isResponse: Bool { startLine.uppercased().hasPrefix("HTTP/") }

    init?(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        guard let first = lines.first, !first.isEmpty else { return nil }
        lines.removeFirst()
        startLine = first
        headers = []
        for line in lines {
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]).trimmingASCIIWhitespace(),
                            String(line[line.index(after: colon)...]).trimmingASCIIWhitespace()))
        }
        status = 0
        if first.uppercased().hasPrefix("HTTP/") {
            let parts = first.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, let code = Int(parts[1]), (100...999).contains(code) else { return nil }
            status = code
        }
    }

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    static func == (lhs: HTTPHead, rhs: HTTPHead) -> Bool {
        lhs.startLine == rhs.startLine && lhs.headers.map(\.0) == rhs.headers.map(\.0) && lhs.headers.map(\.1) == rhs.headers.map(\.1)
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(startLine)
        for (name, value) in headers { hasher.combine(name); hasher.combine(value) }
    }
}

extension Array where Element == UInt8 {
    /// Index just after the blank line ending an HTTP head.
    var headEnd: Int? {
        guard count >= 4 else { return nil }
        for index in 0...(count - 4) where self[index] == 13 && self[index + 1] == 10 && self[index + 2] == 13 && self[index + 3] == 10 {
            return index + 4
        }
        return nil
    }

    func firstCRLF(from start: Int) -> Int? {
        guard start + 1 < count else { return nil }
        for index in start..<(count - 1) where self[index] == 13 && self[index + 1] == 10 { return index }
        return nil
    }
}

extension StringProtocol {
    func trimmingASCIIWhitespace() -> String {
        let scalars = Array(unicodeScalars)
        let isSpace: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let first = scalars.firstIndex(where: { !isSpace($0) }),
              let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars[first...last])
        return String(out)
    }
}
