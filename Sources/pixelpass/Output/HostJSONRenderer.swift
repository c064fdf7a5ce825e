import PixelpassCore

/// The share as JSON lines on stdout (README "JSON events", host rows).
struct HostJSONRenderer {
    mutating func render(_ event: HostSessionEvent) {
        switch event {
        case .preparing, .stopping:
            break
        case .ticket(let ticket):
            EventLine.emit("ticket", [("ticket", .string(ticket.text)), ("fingerprint", .string(ticket.fingerprint)),
                                      ("kept", .bool(ticket.kept))])
        case .ticketReplaced(let ticket):
            EventLine.emit("ticket", [("ticket", .string(ticket.text)), ("fingerprint", .string(ticket.fingerprint)),
                                      ("kept", .bool(ticket.kept)), ("replaced", .bool(true))])
        case .listening(let listening):
            EventLine.emit("listening", [("addresses", .array(listening.addresses.map { .string($0) })),
                                         ("reflexive", .array(listening.reflexive.map { .string($0) })),
                                         ("relay", listening.relay.map { .string($0.relayed) } ?? .null),
                                         ("capture", .string(listening.capture)),
                                         ("encoder", .string(listening.encoder)),
                                         ("audio", .bool(listening.audio.isOn)),
                                         ("max_viewers", .int(listening.maxViewers))])
        case .viewerJoined(let id, let name, let address, let path):
            EventLine.emit("viewer_joined", [("viewer", .string(id)), ("name", name.map { .string($0) } ?? .null),
                                             ("address", .string(address)), ("path", .string(path.rawValue))])
        case .approvalRequested(let id, let name, let address):
            EventLine.emit("approval_requested", [("viewer", .string(id)), ("name", name.map { .string($0) } ?? .null),
                                                  ("address", .string(address))])
        case .approvalEnded(let id, let allowed):
            EventLine.emit("approval_ended", [("viewer", .string(id)),
                                              ("answer", .string(allowed.map { $0 ? "allowed" : "denied" } ?? "withdrawn"))])
        case .viewerLeft(let id, let reason):
            EventLine.emit("viewer_left", [("viewer", .string(id)), ("reason", .string(reason.code)),
                                           ("detail", .string(reason.description))])
        case .pathChanged(let id, let address, let path):
            EventLine.emit("path_changed", [("viewer", .string(id)), ("address", .string(address)),
                                            ("path", .string(path.rawValue))])
        case .stats(let status, let rates):
            EventLine.emit("stats", Self.stats(status, rates: rates))
        case .error(let error):
            EventLine.error(error.description, exitStatus: ExitStatus(error))
        case .ended(let end):
            EventLine.ended(end.code, exitStatus: ExitStatus(end))
        }
    }

    /// `stats`: every viewer with its rate since the previous sample.
    static func stats(_ status: HostStatus, rates: HostRates) -> [(String, JSONValue)] {
        let viewers = status.viewers.map { viewer -> JSONValue in
            .object([
                ("viewer", .string(viewer.id)),
                ("name", viewer.name.map { .string($0) } ?? .null),
                ("address", .string(viewer.address)),
                ("path", .string(viewer.path.rawValue)),
                ("connected_seconds", .double(viewer.connectedSeconds.rounded())),
                ("rtt_ms", .double(viewer.roundTripMilliseconds)),
                ("bitrate_kbps", .double((rates.viewers[viewer.id] ?? 0) / 1000)),
                ("estimated_kbps", .double((viewer.estimatedBitsPerSecond / 1000).rounded())),
                ("below_floor", .bool(viewer.belowFloor)),
                ("bytes_sent", .int(viewer.bytesSent)),
                ("lag_bytes", .int(viewer.lagBytes)),
                ("keyframe_skips", .int(viewer.keyframeSkips)),
                ("streams", .int(viewer.streams)),
            ])
        }
        var fields: [(String, JSONValue)] = [("viewers", .array(viewers)), ("upload_kbps", .double(rates.total / 1000)),
                                             ("bytes_sent", .int(status.bytesSent)), ("capturing", .bool(status.capturing))]
        if let encoder = status.encoder {
            fields.append(("encoder", .object([
                ("mode", .string(encoder.mode.rawValue)),
                ("bitrate_kbps", .int(encoder.bitrateKbps)),
                ("ceiling_kbps", .int(encoder.ceilingKbps)),
                ("floor_kbps", .int(encoder.floorKbps)),
                ("width", .int(encoder.picture.width)),
                ("height", .int(encoder.picture.height)),
                ("fps", .int(encoder.picture.fps)),
            ])))
            fields.append(("limit", encoder.limit.map { .string($0.rawValue) } ?? .null))
        }
        return fields
    }
}
