extension DoctorChecks {
    /// The rows about reaching friends across the internet. None of them
    /// stops sharing on a LAN, so none is FAIL.
    public static func nat(_ diagnosis: NATDiagnosis) -> [DoctorCheck] {
        var rows: [DoctorCheck] = []
        if diagnosis.stunServers.isEmpty {
            rows.append(DoctorCheck(name: "stun", status: .info, detail: "no STUN servers configured (--stun none or [nat] stun = [])",
                                    fix: "set [nat] stun in the config so friends elsewhere get your public address"))
        } else if diagnosis.seenAs.isEmpty {
            rows.append(DoctorCheck(name: "stun", status: .warning,
                                    detail: "no STUN server answered (\(diagnosis.stunServers.joined(separator: ", ")))",
                                    fix: "check that UDP to the internet is allowed, or set [nat] stun to a server you can reach"))
        } else {
            rows.append(DoctorCheck(name: "stun", status: .ok,
                                    detail: "the internet sees this machine at \(diagnosis.seenAs.joined(separator: ", "))"))
        }
        rows.append(natTypeRow(diagnosis.mapping, name: "nat", unknownBecause: "it takes two STUN servers answering"))
        if let server = diagnosis.turnServer {
            let over = diagnosis.turnTransport.map { " over \($0.label)" } ?? ""
            if let relayed = diagnosis.relayed {
                rows.append(DoctorCheck(name: "turn", status: .ok, detail: "\(server)\(over) allocated a relay at \(relayed)"))
            } else {
                rows.append(DoctorCheck(name: "turn", status: .warning,
                                        detail: "\(server)\(over): \(diagnosis.relayProblem ?? "no relay")",
                                        fix: "check [nat] turn / turn_secret / turn_ca against the TURN server's settings"))
            }
        } else {
            rows.append(DoctorCheck(name: "turn", status: .info, detail: "no TURN relay configured",
                                    fix: "friends behind strict NATs need one: pixelpass host --turn turn:HOST:PORT --turn-secret …"))
        }
        switch diagnosis.dht {
        case .off:
            rows.append(DoctorCheck(name: "dht", status: .info, detail: "the DHT rendezvous is off (--no-dht or [nat] dht = false)",
                                    fix: "without it, two friends behind home routers need a TURN relay or a port mapping"))
        case .unreachable(let bootstrap):
            rows.append(DoctorCheck(name: "dht", status: .warning,
                                    detail: "no DHT node answered (bootstrap: \(bootstrap.joined(separator: ", ")))",
                                    fix: "check that UDP to the internet is allowed, or set [nat] dht_bootstrap to nodes you can reach"))
        case .reachable(let seenAs, let mapping):
            let seen = seenAs.isEmpty ? "" : "; nodes see this machine at \(seenAs.prefix(3).joined(separator: ", "))"
            rows.append(DoctorCheck(name: "dht", status: .ok, detail: "the mainline DHT answers: viewers can find the host\(seen)"))
            rows.append(natTypeRow(mapping, name: "nat (dht)", unknownBecause: "it takes two DHT nodes reporting"))
        }
        if let mapping = diagnosis.portMapping {
            rows.append(DoctorCheck(name: "port mapping", status: .ok, detail: "the router forwards ports (\(mapping); removed again)"))
        } else {
            rows.append(DoctorCheck(name: "port mapping", status: .info,
                                    detail: "the router maps no ports (no PCP, NAT-PMP or UPnP IGD answer)"))
        }
        return rows
    }

    /// How the NAT maps ports, as STUN servers or DHT nodes saw it.
    private static func natTypeRow(_ mapping: NATDiagnosis.Mapping, name: String, unknownBecause: String) -> DoctorCheck {
        switch mapping {
        case .noNAT:
            return DoctorCheck(name: name, status: .ok, detail: "no NAT: a public address, friends connect directly")
        case .endpointIndependent:
            return DoctorCheck(name: name, status: .ok,
                               detail: "NAT keeps one public port per local port: hole punching can give direct paths")
        case .symmetric:
            return DoctorCheck(name: name, status: .warning,
                               detail: "symmetric NAT (a new public port per destination): friends behind NAT need a relay",
                               fix: "configure a TURN relay ([nat] turn) or enable UPnP/NAT-PMP on the router")
        case .unknown:
            return DoctorCheck(name: name, status: .info, detail: "NAT behaviour unknown (\(unknownBecause))")
        }
    }
}
