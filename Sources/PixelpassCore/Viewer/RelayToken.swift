import PixelpassTicket

/// The unguessable first path segment of the relay's URL
/// (`http://127.0.0.1:PORT/TOKEN/`). Any local process can connect to
/// 127.0.0.1; only one that was given the URL may watch, so the port alone
/// reveals nothing and costs the host nothing.
struct RelayToken: Equatable, Sendable {
    /// 128 random bits in hex: far beyond guessing through a local socket.
    static let byteCount = 16

    let text: String

    init(text: String) {
        self.text = text
    }

    /// A fresh token from the system's generator.
    static func random() -> RelayToken {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    static func random<Generator: RandomNumberGenerator>(using generator: inout Generator) -> RelayToken {
        RelayToken(text: hexString((0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }))
    }

    /// The stream's paths, as before the token existed, now under it.
    static let streamPaths = ["", "/", "/stream", "/stream.ts"]

    /// The URL players open.
    func url(port: Int) -> String { "http://127.0.0.1:\(port)/\(text)/" }

    /// Whether a request target (path and optional query) names the stream
    /// under this token. The token is compared in constant time, so timing
    /// does not tell a local prober how much of a guess was right.
    func admits(_ target: String) -> Bool {
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard path.hasPrefix("/") else { return false }
        let afterSlash = path.utf8.dropFirst()
        let segment = afterSlash.prefix { $0 != UInt8(ascii: "/") }
        guard Self.sameBytes(Array(segment), Array(text.utf8)) else { return false }
        let rest = String(decoding: afterSlash.dropFirst(segment.count), as: UTF8.self)
        return Self.streamPaths.contains(rest)
    }

    private static func sameBytes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
