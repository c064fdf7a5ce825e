/// A UPnP action's error (UPnP Device Architecture §3.2.2, IGD
/// WANIPConnection §2.4.16–18): the code, the gateway's own text, and what
/// the code means.
public struct UPnPError: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: Int
    public var gatewayDescription: String

    public static let invalidArgs = 402
    public static let actionFailed = 501
    public static let notAuthorized = 606
    public static let noSuchEntryInArray = 714
    public static let conflictInMappingEntry = 718
    public static let samePortValuesRequired = 724
    public static let onlyPermanentLeasesSupported = 725
    public static let externalPortOnlySupportsWildcard = 727
    public static let noPortMapsAvailable = 728
    public static let conflictWithOtherMechanisms = 729

    public init(code: Int, gatewayDescription: String) {
        self.code = code
        self.gatewayDescription = gatewayDescription
    }

    public var meaning: String {
        switch code {
        case UPnPError.invalidArgs: return "invalid arguments"
        case UPnPError.actionFailed: return "action failed"
        case UPnPError.notAuthorized: return "not authorized: port mapping is restricted on the router"
        case UPnPError.noSuchEntryInArray: return "no such mapping"
        case UPnPError.conflictInMappingEntry: return "the external port is mapped to another client"
        case UPnPError.samePortValuesRequired: return "external and internal port must be the same"
        case UPnPError.onlyPermanentLeasesSupported: return "only permanent leases are supported"
        case UPnPError.externalPortOnlySupportsWildcard: return "only a wildcard external port is supported"
        case UPnPError.noPortMapsAvailable: return "the router has no mappings left"
        case UPnPError.conflictWithOtherMechanisms: return "conflicts with a mapping made another way"
        default: return "error"
        }
    }

    public var description: String {
        let text = gatewayDescription.isEmpty ? "" : " \"\(gatewayDescription)\""
        return "UPnP error \(code) (\(meaning))\(text)"
    }
}

/// SOAP 1.1 control messages for a WAN connection service (UPnP Device
/// Architecture §3.2) and the answers to them.
public enum UPnPSOAP {
    /// POST of `action` with `arguments` (in the order the service's SCPD lists them).
    public static func request(_ action: String, arguments: [(String, String)], service: UPnPDeviceDescription.Service) -> HTTPRequest {
        var body = "<?xml version=\"1.0\"?>\r\n"
            + "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" "
            + "s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\">"
            + "<s:Body><u:\(action) xmlns:u=\"\(XMLScanner.escape(service.serviceType))\">"
        for (name, value) in arguments { body += "<\(name)>\(XMLScanner.escape(value))</\(name)>" }
        body += "</u:\(action)></s:Body></s:Envelope>\r\n"
        return HTTPRequest(method: "POST", url: service.controlURL,
                           headers: ["Content-Type": "text/xml; charset=\"utf-8\"",
                                     "SOAPAction": "\"\(service.serviceType)#\(action)\""],
                           body: Array(body.utf8))
    }

    public static func getExternalIPAddress(service: UPnPDeviceDescription.Service) -> HTTPRequest {
        request("GetExternalIPAddress", arguments: [], service: service)
    }

    /// A UDP mapping from `externalPort` on every remote host to
    /// `internalClient:internalPort` for `leaseDuration` seconds (0: permanent).
    public static func addPortMapping(service: UPnPDeviceDescription.Service, externalPort: UInt16, internalPort: UInt16,
                                      internalClient: String, description: String, leaseDuration: UInt32) -> HTTPRequest {
        request("AddPortMapping", arguments: [
            ("NewRemoteHost", ""),
            ("NewExternalPort", "\(externalPort)"),
            ("NewProtocol", "UDP"),
            ("NewInternalPort", "\(internalPort)"),
            ("NewInternalClient", internalClient),
            ("NewEnabled", "1"),
            ("NewPortMappingDescription", description),
            ("NewLeaseDuration", "\(leaseDuration)"),
        ], service: service)
    }

    public static func deletePortMapping(service: UPnPDeviceDescription.Service, externalPort: UInt16) -> HTTPRequest {
        request("DeletePortMapping", arguments: [
            ("NewRemoteHost", ""),
            ("NewExternalPort", "\(externalPort)"),
            ("NewProtocol", "UDP"),
        ], service: service)
    }

    public enum ResponseError: Error, Hashable, Sendable, CustomStringConvertible {
        /// The gateway answered with a SOAP fault carrying a UPnP error.
        case fault(UPnPError)
        /// An HTTP error without a readable fault.
        case httpStatus(Int)
        /// 200 but no `<actionResponse>` element.
        case missingResponse(action: String)

        public var description: String {
            switch self {
            case .fault(let error): return "\(error)"
            case .httpStatus(let status): return "the gateway answered HTTP \(status)"
            case .missingResponse(let action): return "the gateway's answer has no \(action)Response"
            }
        }
    }

    /// The output arguments of `action`'s answer, by name.
    public static func parseResponse(_ response: HTTPResponse, action: String) throws(ResponseError) -> [String: String] {
        let xml = String(decoding: response.body, as: UTF8.self)
        let scanner = XMLScanner(xml)
        if let fault = scanner.elements("Fault").first {
            let upnp = XMLScanner.elements("UPnPError", in: fault.inner).first?.inner ?? fault.inner
            if let codeText = XMLScanner.value("errorCode", in: upnp), let code = Int(codeText) {
                throw .fault(UPnPError(code: code, gatewayDescription: XMLScanner.value("errorDescription", in: upnp) ?? ""))
            }
        }
        guard (200..<300).contains(response.status) else { throw .httpStatus(response.status) }
        guard let body = scanner.elements(action + "Response").first else { throw .missingResponse(action: action) }
        var arguments: [String: String] = [:]
        for name in childNames(body.inner) {
            arguments[name] = XMLScanner.value(name, in: body.inner) ?? ""
        }
        return arguments
    }

    /// Local names of the direct children (arguments are flat: no nesting).
    private static func childNames(_ text: Substring) -> [String] {
        var names: [String] = []
        var index = text.startIndex
        while let lt = text[index...].firstIndex(of: "<") {
            let after = text.index(after: lt)
            guard after < text.endIndex, let gt = text[after...].firstIndex(of: ">") else { break }
            let tag = text[after..<gt]
            if let first = tag.first, first != "/", first != "?", first != "!" {
                let end = tag.firstIndex(where: { $0 == " " || $0 == "/" || $0 == "\t" || $0 == "\n" }) ?? tag.endIndex
                var name = tag[..<end]
                if let colon = name.lastIndex(of: ":") { name = name[name.index(after: colon)...] }
                if !name.isEmpty, !names.contains(String(name)) { names.append(String(name)) }
            }
            index = text.index(after: gt)
        }
        return names
    }
}
