/// SSDP discovery (UPnP Device Architecture 1.1 §1.3): an HTTP-over-UDP
/// M-SEARCH to 239.255.255.250:1900 and the unicast answers that name where
/// a device's description is.
public enum SSDP {
    public static let multicastAddress = NATAddress(ip: .v4(0xEFFF_FFFA), port: 1900)

    /// What we look for: the IGD device (v1, v2) and its WAN connection services.
    public static let searchTargets = [
        "urn:schemas-upnp-org:device:InternetGatewayDevice:1",
        "urn:schemas-upnp-org:device:InternetGatewayDevice:2",
        "urn:schemas-upnp-org:service:WANIPConnection:1",
        "urn:schemas-upnp-org:service:WANIPConnection:2",
        "urn:schemas-upnp-org:service:WANPPPConnection:1",
    ]

    public static func searchRequest(target: String, maxWaitSeconds: Int = 1) -> [UInt8] {
        Array(("M-SEARCH * HTTP/1.1\r\n"
            + "HOST: 239.255.255.250:1900\r\n"
            + "MAN: \"ssdp:discover\"\r\n"
            + "MX: \(maxWaitSeconds)\r\n"
            + "ST: \(target)\r\n"
            + "USER-AGENT: Linux UPnP/1.1 pixelpass/1\r\n"
            + "\r\n").utf8)
    }

    public struct SearchResponse: Hashable, Sendable {
        /// LOCATION: the device description's URL.
        public var location: HTTPURL
        /// ST: what matched.
        public var searchTarget: String
        public var usn: String?
    }

    public enum ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        case notHTTP
        case status(Int)
        case missingLocation
        case badLocation(String)
        case notAGateway(String)

        public var description: String {
            switch self {
            case .notHTTP: return "not an SSDP answer"
            case .status(let code): return "SSDP answer with status \(code)"
            case .missingLocation: return "SSDP answer without LOCATION"
            case .badLocation(let text): return "SSDP LOCATION \"\(text)\" is not an http:// URL"
            case .notAGateway(let target): return "SSDP answer for \(target), not an Internet gateway"
            }
        }
    }

    /// An answer to our M-SEARCH (`HTTP/1.1 200 OK` with ST and LOCATION)
    /// for one of `searchTargets`. NOTIFY announcements are not answers.
    public static func parseResponse(_ datagram: [UInt8]) throws(ParseError) -> SearchResponse {
        guard let head = HTTPHead(datagram), head.isResponse else { throw .notHTTP }
        guard head.status == 200 else { throw .status(head.status) }
        guard let location = head.header("location") else { throw .missingLocation }
        guard let url = HTTPURL(location) else { throw .badLocation(location) }
        let target = head.header("st") ?? ""
        guard searchTargets.contains(where: { target.caseInsensitiveEquals($0) }) else { throw .notAGateway(target) }
        return SearchResponse(location: url, searchTarget: target, usn: head.header("usn"))
    }
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool {
        lowercased() == other.lowercased()
    }
}
