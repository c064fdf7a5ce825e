import XCTest
@testable import PixelpassNAT

/// SSDP, the IGD device description, SOAP, and the UPnP client machine,
/// against texts written from the UPnP Device Architecture and IGD specs.
final class PortMappingUPnPTests: XCTestCase {
    static let location = HTTPURL("http://10.1.0.1:5000/rootDesc.xml")!

    static let description = """
        <?xml version="1.0"?>
        <root xmlns="urn:schemas-upnp-org:device-1-0">
          <specVersion><major>1</major><minor>1</minor></specVersion>
          <device>
            <deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>
            <friendlyName>Lab Router &amp; Co</friendlyName>
            <serviceList>
              <service>
                <serviceType>urn:schemas-upnp-org:service:Layer3Forwarding:1</serviceType>
                <controlURL>/ctl/L3F</controlURL>
              </service>
            </serviceList>
            <deviceList>
              <device>
                <deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType>
                <serviceList>
                  <service>
                    <serviceType>urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1</serviceType>
                    <controlURL>/ctl/CmnIfCfg</controlURL>
                  </service>
                </serviceList>
                <deviceList>
                  <device>
                    <deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:1</deviceType>
                    <serviceList>
                      <service>
                        <serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType>
                        <serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId>
                        <controlURL>ctl/IPConn</controlURL>
                        <eventSubURL>/evt/IPConn</eventSubURL>
                      </service>
                    </serviceList>
                  </device>
                </deviceList>
              </device>
            </deviceList>
          </device>
        </root>
        """

    static func soapResponse(_ action: String, _ arguments: String = "") -> [UInt8] {
        let body = """
            <?xml version="1.0"?>
            <s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">\
            <s:Body><u:\(action)Response xmlns:u="urn:schemas-upnp-org:service:WANIPConnection:1">\(arguments)</u:\(action)Response>\
            </s:Body></s:Envelope>
            """
        return http(200, body)
    }

    static func soapFault(_ code: Int, _ text: String) -> [UInt8] {
        http(500, """
            <?xml version="1.0"?>
            <s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">
            <s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring>
            <detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>\(code)</errorCode>
            <errorDescription>\(text)</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>
            """)
    }

    static func http(_ status: Int, _ body: String) -> [UInt8] {
        let bytes = Array(body.utf8)
        return Array("HTTP/1.1 \(status) X\r\nContent-Type: text/xml; charset=\"utf-8\"\r\nContent-Length: \(bytes.count)\r\n\r\n".utf8) + bytes
    }

    // MARK: - SSDP

    func testSearchRequestText() {
        let text = String(decoding: SSDP.searchRequest(target: "urn:schemas-upnp-org:device:InternetGatewayDevice:1"), as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\n"))
        XCTAssertTrue(text.contains("\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n"))
        XCTAssertTrue(text.hasSuffix("\r\n\r\n"))
        XCTAssertEqual(SSDP.multicastAddress, address("239.255.255.250:1900"))
    }

    func testParsesSearchResponse() throws {
        let reply = Array("""
            HTTP/1.1 200 OK\r
            CACHE-CONTROL: max-age=120\r
            ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r
            USN: uuid:0e3b7c2a::urn:schemas-upnp-org:device:InternetGatewayDevice:1\r
            EXT:\r
            SERVER: Debian/12 UPnP/1.1 MiniUPnPd/2.3.1\r
            location: http://10.1.0.1:5000/rootDesc.xml\r
            \r

            """.utf8)
        let parsed = try SSDP.parseResponse(reply)
        XCTAssertEqual(parsed.location, Self.location)
        XCTAssertEqual(parsed.usn, "uuid:0e3b7c2a::urn:schemas-upnp-org:device:InternetGatewayDevice:1")
    }

    func testRejectsOtherSSDPTraffic() {
        let notify = Array("NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nNT: upnp:rootdevice\r\nLOCATION: http://10.1.0.1:5000/r.xml\r\n\r\n".utf8)
        XCTAssertThrowsError(try SSDP.parseResponse(notify)) { XCTAssertEqual($0 as? SSDP.ParseError, .notHTTP) }
        let printer = Array("HTTP/1.1 200 OK\r\nST: urn:schemas-upnp-org:device:Printer:1\r\nLOCATION: http://10.1.0.5/d.xml\r\n\r\n".utf8)
        XCTAssertThrowsError(try SSDP.parseResponse(printer)) {
            XCTAssertEqual($0 as? SSDP.ParseError, .notAGateway("urn:schemas-upnp-org:device:Printer:1"))
        }
        let noLocation = Array("HTTP/1.1 200 OK\r\nST: urn:schemas-upnp-org:service:WANIPConnection:1\r\n\r\n".utf8)
        XCTAssertThrowsError(try SSDP.parseResponse(noLocation)) { XCTAssertEqual($0 as? SSDP.ParseError, .missingLocation) }
        let badLocation = Array("HTTP/1.1 200 OK\r\nST: urn:schemas-upnp-org:service:WANIPConnection:1\r\nLocation: https://x/\r\n\r\n".utf8)
        XCTAssertThrowsError(try SSDP.parseResponse(badLocation)) { XCTAssertEqual($0 as? SSDP.ParseError, .badLocation("https://x/")) }
        XCTAssertThrowsError(try SSDP.parseResponse([0xFF, 0xFE, 0x00]))
        XCTAssertThrowsError(try SSDP.parseResponse([]))
    }

    // MARK: - HTTP

    func testURLParsingAndResolution() {
        XCTAssertEqual(HTTPURL("http://10.1.0.1/x"), HTTPURL(host: "10.1.0.1", port: 80, path: "/x"))
        XCTAssertEqual(HTTPURL("HTTP://[fe80::1]:49000"), HTTPURL(host: "fe80::1", port: 49000, path: "/"))
        XCTAssertNil(HTTPURL("http://10.1.0.1:0/"))
        XCTAssertNil(HTTPURL("http://10.1.0.1:99999/"))
        XCTAssertNil(HTTPURL("http://user@10.1.0.1/"))
        XCTAssertNil(HTTPURL("ftp://10.1.0.1/"))
        XCTAssertNil(HTTPURL("http://"))
        let base = HTTPURL("http://10.1.0.1:5000/dev/rootDesc.xml?x=1")!
        XCTAssertEqual(base.resolving("/ctl/IPConn")?.description, "http://10.1.0.1:5000/ctl/IPConn")
        XCTAssertEqual(base.resolving("ctl/IPConn")?.description, "http://10.1.0.1:5000/dev/ctl/IPConn")
        XCTAssertEqual(base.resolving("http://10.1.0.1:6000/c")?.description, "http://10.1.0.1:6000/c")
        XCTAssertNil(base.resolving("https://10.1.0.1/c"))
    }

    func testRequestEncoding() {
        let text = String(decoding: HTTPRequest(method: "GET", url: Self.location).encode(), as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("GET /rootDesc.xml HTTP/1.1\r\nHost: 10.1.0.1:5000\r\nConnection: close\r\n"), text)
        XCTAssertTrue(text.hasSuffix("\r\n\r\n"))
    }

    func testResponseBodies() throws {
        XCTAssertEqual(try HTTPResponse.parse(Array("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcdef".utf8)).body, Array("abc".utf8))
        XCTAssertEqual(try HTTPResponse.parse(Array("HTTP/1.0 200 OK\r\n\r\nto the end".utf8)).body, Array("to the end".utf8))
        let chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n6;ext=1\r\npedia \r\n0\r\n\r\n"
        XCTAssertEqual(try HTTPResponse.parse(Array(chunked.utf8)).body, Array("Wikipedia ".utf8))
        XCTAssertThrowsError(try HTTPResponse.parse(Array("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc".utf8))) {
            XCTAssertEqual($0 as? HTTPResponse.ParseError, .truncatedBody(expected: 9, got: 3))
        }
        XCTAssertThrowsError(try HTTPResponse.parse(Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".utf8))) {
            XCTAssertEqual($0 as? HTTPResponse.ParseError, .badChunk)
        }
        XCTAssertThrowsError(try HTTPResponse.parse(Array("HTTP/1.1 200 OK\r\nContent-".utf8))) {
            XCTAssertEqual($0 as? HTTPResponse.ParseError, .incompleteHead)
        }
        XCTAssertThrowsError(try HTTPResponse.parse(Array("SSH-2.0-OpenSSH\r\n\r\n".utf8))) {
            XCTAssertEqual($0 as? HTTPResponse.ParseError, .notHTTP)
        }
    }

    // MARK: - Device description

    func testFindsTheNestedConnectionService() throws {
        let parsed = try UPnPDeviceDescription.parse(Self.description, location: Self.location)
        XCTAssertEqual(parsed.friendlyName, "Lab Router & Co")
        XCTAssertEqual(parsed.services.map(\.serviceType), ["urn:schemas-upnp-org:service:WANIPConnection:1"])
        XCTAssertEqual(parsed.services.first?.controlURL.description, "http://10.1.0.1:5000/ctl/IPConn")
    }

    func testURLBaseAndServicePreference() throws {
        let xml = """
            <root><URLBase>http://10.1.0.1:49152/</URLBase><device><serviceList>
            <service><serviceType>urn:schemas-upnp-org:service:WANPPPConnection:1</serviceType><controlURL>ppp</controlURL></service>
            <service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:2</serviceType><controlURL><![CDATA[ip2]]></controlURL></service>
            </serviceList></device></root>
            """
        let parsed = try UPnPDeviceDescription.parse(xml, location: Self.location)
        XCTAssertEqual(parsed.services.map(\.controlURL.description), ["http://10.1.0.1:49152/ip2", "http://10.1.0.1:49152/ppp"])
    }

    func testDescriptionErrors() {
        XCTAssertThrowsError(try UPnPDeviceDescription.parse("<html>no</html>", location: Self.location)) {
            XCTAssertEqual($0 as? UPnPDeviceDescription.ParseError, .notADeviceDescription)
        }
        XCTAssertThrowsError(try UPnPDeviceDescription.parse("<root><device><serviceList></serviceList></device></root>", location: Self.location)) {
            XCTAssertEqual($0 as? UPnPDeviceDescription.ParseError, .noConnectionService)
        }
        let noControl = "<root><service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType></service></root>"
        XCTAssertThrowsError(try UPnPDeviceDescription.parse("<root><serviceList>" + noControl.dropFirst(6).dropLast(7) + "</serviceList></root>", location: Self.location)) {
            XCTAssertEqual($0 as? UPnPDeviceDescription.ParseError, .badControlURL(""))
        }
        // Truncated and unbalanced documents give errors, not crashes.
        for cut in stride(from: 0, to: Self.description.count, by: 37) {
            _ = try? UPnPDeviceDescription.parse(String(Self.description.prefix(cut)), location: Self.location)
        }
        _ = try? UPnPDeviceDescription.parse("<root><root><serviceList><service><<</>", location: Self.location)
    }

    // MARK: - SOAP

    private let service = UPnPDeviceDescription.Service(serviceType: "urn:schemas-upnp-org:service:WANIPConnection:1",
                                                        controlURL: HTTPURL("http://10.1.0.1:5000/ctl/IPConn")!)

    func testAddPortMappingEnvelope() {
        let request = UPnPSOAP.addPortMapping(service: service, externalPort: 4500, internalPort: 4500, internalClient: "10.1.0.10",
                                              description: "pixelpass <host>", leaseDuration: 3600)
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.headers["SOAPAction"], "\"urn:schemas-upnp-org:service:WANIPConnection:1#AddPortMapping\"")
        let body = String(decoding: request.body, as: UTF8.self)
        XCTAssertTrue(body.contains("<u:AddPortMapping xmlns:u=\"urn:schemas-upnp-org:service:WANIPConnection:1\">"
            + "<NewRemoteHost></NewRemoteHost><NewExternalPort>4500</NewExternalPort><NewProtocol>UDP</NewProtocol>"
            + "<NewInternalPort>4500</NewInternalPort><NewInternalClient>10.1.0.10</NewInternalClient><NewEnabled>1</NewEnabled>"
            + "<NewPortMappingDescription>pixelpass &lt;host&gt;</NewPortMappingDescription>"
            + "<NewLeaseDuration>3600</NewLeaseDuration></u:AddPortMapping>"), body)
        XCTAssertTrue(body.contains("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\""))
        let text = String(decoding: request.encode(), as: UTF8.self)
        XCTAssertTrue(text.contains("Content-Length: \(request.body.count)\r\n"))
        let delete = String(decoding: UPnPSOAP.deletePortMapping(service: service, externalPort: 4500).body, as: UTF8.self)
        XCTAssertTrue(delete.contains("<u:DeletePortMapping xmlns:u=\"urn:schemas-upnp-org:service:WANIPConnection:1\">"
            + "<NewRemoteHost></NewRemoteHost><NewExternalPort>4500</NewExternalPort><NewProtocol>UDP</NewProtocol></u:DeletePortMapping>"))
    }

    func testParsesResponsesAndFaults() throws {
        let ok = try HTTPResponse.parse(Self.soapResponse("GetExternalIPAddress", "<NewExternalIPAddress>203.0.113.10</NewExternalIPAddress>"))
        XCTAssertEqual(try UPnPSOAP.parseResponse(ok, action: "GetExternalIPAddress"), ["NewExternalIPAddress": "203.0.113.10"])
        let fault = try HTTPResponse.parse(Self.soapFault(718, "ConflictInMappingEntry"))
        XCTAssertThrowsError(try UPnPSOAP.parseResponse(fault, action: "AddPortMapping")) {
            XCTAssertEqual($0 as? UPnPSOAP.ResponseError, .fault(UPnPError(code: 718, gatewayDescription: "ConflictInMappingEntry")))
        }
        XCTAssertThrowsError(try UPnPSOAP.parseResponse(try HTTPResponse.parse(Self.http(500, "oops")), action: "AddPortMapping")) {
            XCTAssertEqual($0 as? UPnPSOAP.ResponseError, .httpStatus(500))
        }
        XCTAssertThrowsError(try UPnPSOAP.parseResponse(try HTTPResponse.parse(Self.soapResponse("Other")), action: "AddPortMapping")) {
            XCTAssertEqual($0 as? UPnPSOAP.ResponseError, .missingResponse(action: "AddPortMapping"))
        }
        XCTAssertEqual(UPnPError(code: 725, gatewayDescription: "").description, "UPnP error 725 (only permanent leases are supported)")
    }
}
