/// The part of an IGD's device description (UPnP Device Architecture §2.3)
/// we need: the WAN connection service's type and control URL.
public struct UPnPDeviceDescription: Hashable, Sendable {
    /// Services that can add port mappings, best first.
    public static let connectionServiceTypes = [
        "urn:schemas-upnp-org:service:WANIPConnection:2",
        "urn:schemas-upnp-org:service:WANIPConnection:1",
        "urn:schemas-upnp-org:service:WANPPPConnection:1",
    ]

    public struct Service: Hashable, Sendable {
        public var serviceType: String
        public var controlURL: HTTPURL
    }

    /// `friendlyName` of the root device, for the logs.
    public var friendlyName: String?
    /// Every WAN connection service found, in the order of `connectionServiceTypes`.
    public var services: [Service]

    public enum ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        case notADeviceDescription
        case noConnectionService
        case badControlURL(String)

        public var description: String {
            switch self {
            case .notADeviceDescription: return "the device description is not UPnP XML"
            case .noConnectionService: return "the gateway offers no WANIPConnection or WANPPPConnection service"
            case .badControlURL(let text): return "the gateway's controlURL \"\(text)\" is unusable"
            }
        }
    }

    /// Parses `xml` fetched from `location`; relative control URLs resolve
    /// against `URLBase` when present (UDA 1.0), else against `location`.
    public static func parse(_ xml: String, location: HTTPURL) throws(ParseError) -> UPnPDeviceDescription {
        let scanner = XMLScanner(xml)
        guard let root = scanner.elements("root").first else { throw .notADeviceDescription }
        let base = XMLScanner.value("URLBase", in: root.inner).flatMap { HTTPURL($0) } ?? location
        let friendlyName = XMLScanner.value("friendlyName", in: root.inner)
        var found: [Service] = []
        var unusable: String?
        // Services sit in nested devices (IGD → WANDevice → WANConnectionDevice);
        // every <service> element anywhere is a candidate.
        for service in allServices(in: root.inner) {
            guard let type = XMLScanner.value("serviceType", in: service),
                  connectionServiceTypes.contains(where: { $0.caseInsensitiveEquals(type) }) else { continue }
            let control = XMLScanner.value("controlURL", in: service) ?? ""
            guard !control.isEmpty, let url = base.resolving(control) else {
                unusable = control
                continue
            }
            found.append(Service(serviceType: type, controlURL: url))
        }
        guard !found.isEmpty else {
            if let unusable { throw .badControlURL(unusable) }
            throw .noConnectionService
        }
        found.sort { rank($0.serviceType) < rank($1.serviceType) }
        return UPnPDeviceDescription(friendlyName: friendlyName, services: found)
    }

    private static func rank(_ type: String) -> Int {
        connectionServiceTypes.firstIndex { $0.caseInsensitiveEquals(type) } ?? connectionServiceTypes.count
    }

    /// `<service>` elements of every `<serviceList>`: lists never nest in
    /// one another (devices do, lists do not), so a flat scan finds them all,
    /// however deep the device they belong to.
    private static func allServices(in text: Substring) -> [Substring] {
        XMLScanner.elements("serviceList", in: text).flatMap { list in
            XMLScanner.elements("service", in: list.inner).map(\.inner)
        }
    }
}
