/// `pixelpass ticket inspect` output. Written by hand rather than with
/// JSONSerialization so the keys keep the order a person reads them in.
extension Ticket {
    /// Pretty-printed JSON with keys in this order: version,
    /// fingerprint_sha256, secret, addresses, relay (an object or null).
    public func inspectJSON() -> String {
        let addressLines = addresses.map { "    " + Self.jsonString($0.description) }
        let addressesJSON = addressLines.isEmpty
            ? "[]"
            : "[\n" + addressLines.joined(separator: ",\n") + "\n  ]"
        let relayJSON = (try? relayInfo)?.map { relay in
            "{\"server\": \(Self.jsonString(relay.server.description)), \"relayed\": \(Self.jsonString(relay.relayed.description)), "
                + "\"username\": \(Self.jsonString(relay.username)), \"password\": \(Self.jsonString(relay.password)), "
                + "\"transport\": \(Self.jsonString(relay.transport.name))" + (relay.transport.serverName.map { ", \"server_name\": \(Self.jsonString($0))" } ?? "") + "}"
        } ?? "null"
        return """
        {
          "version": \(Self.version),
          "fingerprint_sha256": \(Self.jsonString(fingerprintHex)),
          "secret": \(Self.jsonString(secretHex)),
          "addresses": \(addressesJSON),
          "reflexive": [\(reflexive.map { Self.jsonString($0.description) }.joined(separator: ", "))],
          "relay": \(relayJSON)
        }
        """
    }

    /// Our values are hex and addresses, but escape anyway so the output
    /// stays valid JSON whatever they hold.
    private static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
