import Foundation
import NIOCore
import PixelpassTicket

/// The HTTP/3 request a relayed viewer makes to find a direct path:
/// `GET /v1/candidates?token=HEX&mine=ADDR,ADDR` (its own addresses and the
/// punch token); the host answers `{"candidates":["ADDR",…]}` and both punch.
///
/// The wire format is fixed by peers already in use: an older viewer reads
/// the reply by picking out its quoted strings, so the reply stays one flat
/// object with one key and no extra whitespace.
enum CandidateExchange {
    static let path = "/v1/candidates"
    static let maxCandidates = 8
    /// The most addresses taken from a reply. A host offers its interface
    /// and reflexive addresses, which can exceed `maxCandidates` on a
    /// machine with many interfaces; anything far beyond is not a host.
    static let maxReplyCandidates = 64
    /// Replies longer than this are not read at all: 64 addresses of the
    /// longest form ("[v6]:port", 47 bytes, quoted) fit with room to spare.
    static let maxReplyBytes = 8 * 1024

    /// The viewer's offer: the punch token and where it may be reached.
    struct Offer: Equatable {
        static let tokenLength = 8

        var token: [UInt8]
        var addresses: [SocketAddress]

        /// The request path; at most `maxCandidates` addresses, those that
        /// have an IP form.
        var requestPath: String {
            let list = addresses.prefix(maxCandidates).compactMap { $0.natAddress?.description }
                .joined(separator: ",")
            return "\(path)?token=\(hexString(token))&mine=\(list)"
        }

        /// Nil without a token of `tokenLength` hex bytes; addresses that do
        /// not parse are left out, and only the first `maxCandidates` are read.
        init?(queryItems items: [(name: String, value: String)]) {
            guard let tokenText = items.first(where: { $0.name == "token" })?.value,
                  let token = bytes(fromHex: tokenText), token.count == Self.tokenLength else { return nil }
            let list = items.first(where: { $0.name == "mine" })?.value ?? ""
            self.token = token
            // maxSplits: a long list is not split further than what is read.
            addresses = list.split(separator: ",", maxSplits: maxCandidates).prefix(maxCandidates)
                .compactMap { socketAddress(String($0)) }
        }

        init(token: [UInt8], addresses: [SocketAddress]) {
            self.token = token
            self.addresses = addresses
        }
    }

    /// The host's reply body.
    struct Reply: Codable, Equatable {
        /// "1.2.3.4:5678" or "[2001:db8::1]:5678", as `TicketAddress` writes them.
        var candidates: [String]
    }

    static func requestPath(token: [UInt8], mine: [SocketAddress]) -> String {
        Offer(token: token, addresses: mine).requestPath
    }

    /// The token and the viewer's addresses from a request's query items.
    static func parseRequest(_ items: [(name: String, value: String)]) -> (token: [UInt8], addresses: [SocketAddress])? {
        Offer(queryItems: items).map { ($0.token, $0.addresses) }
    }

    /// `{"candidates":["1.2.3.4:5678",…]}` and a newline.
    static func responseBody(_ candidates: [TicketAddress]) -> String {
        let encoder = JSONEncoder()
        // Sorted keys and unescaped slashes keep the bytes what every peer
        // has always sent (there is one key, and addresses have no slash).
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding an array of strings cannot fail.
        let data = try! encoder.encode(Reply(candidates: candidates.map(\.description)))
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// The host's addresses from a reply; empty when the body is not a
    /// reply. Entries that are not an IP address and port are left out.
    static func parseResponse(_ body: [UInt8]) -> [SocketAddress] {
        guard body.count <= maxReplyBytes,
              let reply = try? JSONDecoder().decode(Reply.self, from: Data(body)) else { return [] }
        return reply.candidates.prefix(maxReplyCandidates).compactMap { socketAddress($0) }
    }

    static func socketAddress(_ text: String) -> SocketAddress? {
        TicketAddress(text)?.socketAddress
    }
}
