import Foundation
import PixelpassNAT

/// DHT nodes that answered last time, kept between runs so the next start
/// does not wait on the bootstrap routers: one "ip:port" per line in
/// `$XDG_CACHE_HOME/pixelpass/dht-nodes` (else `~/.cache/pixelpass/`).
/// A cache: anything unreadable is ignored, a failed write is not an error.
/// Written 0600 in a 0700 folder, as every file pixelpass keeps: which
/// nodes answered says something about where this machine has been.
struct DHTNodeCache: Sendable {
    static let limit = 64
    /// Nil when neither XDG_CACHE_HOME nor HOME says where caches go.
    let path: String?

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        path = CacheLocation.file("dht-nodes", environment: environment)
    }

    init(path: String?) {
        self.path = path
    }

    func load() -> [NATAddress] {
        guard let path, let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return Self.parse(text)
    }

    func save(_ nodes: [NATAddress]) {
        guard let path, !nodes.isEmpty else { return }
        let folder = (path as NSString).deletingLastPathComponent
        try? TicketIdentityStore(directory: folder).makeDirectory()
        try? TicketIdentityStore.writeAtomically(Array(Self.render(nodes).utf8), to: path, in: folder)
    }

    static func parse(_ text: String) -> [NATAddress] {
        Array(text.split(whereSeparator: \.isNewline).compactMap { NATAddress(String($0)) }.prefix(limit))
    }

    static func render(_ nodes: [NATAddress]) -> String {
        nodes.prefix(limit).map { "\($0)\n" }.joined()
    }
}
