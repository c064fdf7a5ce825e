import Foundation
import NIOCore
import PixelpassTicket

/// The HTTP/3 request a relayed viewer makes to find a direct path:
/// `GET /v1/candidates?token=HEX&mine=ADDR,ADDR` (its own addresses and the
/// punch token); the host answers `{"candidates":["ADDR",…]}` and both punch.
enum CandidateExchange {
    static let path = "/v1/candidates"
    static let maxCandidates = 8

    static func requestPath(token: [UInt8], mine: [SocketAddress]) -> String {
        let list = mine.prefix(maxCandidates).compactMap { $0.natAddress?.description }.joined(separator: ",")
        return "\(path)?token=\(hexString(token))&mine=\(list)"
    }

    /// The token and the viewer's addresses from a request's query items.
    static func parseRequest(_ items: [(name: String, value: String)]) -> (token: [UInt8], addresses: [SocketAddress])? {
        guard let tokenText = items.first(where: { $0.name == "token" })?.value,
              let token = bytes(fromHex: tokenText), token.count == 8 else { return nil }
        let list = items.first(where: { $0.name == "mine" })?.value ?? ""
        let addresses = list.split(separator: ",").prefix(maxCandidates).compactMap { socketAddress(String($0)) }
        return (token, addresses)
    }

    static func responseBody(_ candidates: [TicketAddress]) -> String {
        "{\"candidates\":[" + candidates.map { "\"\($0.description)\"" }.joined(separator: ",") + "]}\n"
    }

    static func parseResponse(_ body: [UInt8]) -> [SocketAddress] {
        // A flat list of quoted addresses: pick the quoted strings that parse.
        let text = String(decoding: body, as: UTF8.self)
        return text.split(separator: "\"").compactMap { socketAddress(String($0)) }
    }

    static func socketAddress(_ text: String) -> SocketAddress? {
        guard let address = TicketAddress(text) else { return nil }
        return try? SocketAddress(ipAddress: address.hostString, port: Int(address.port))
    }
}
