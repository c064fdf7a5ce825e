import PixelpassCore

/// The host's JSON events (README "JSON events").
enum HostEventJSON {
    static func fields(for event: HostEvent) -> (String, [(String, JSONValue)]) {
        switch event {
        case .viewerJoined(let id, let address, let path):
            return ("viewer_joined", [("viewer", .string(id)), ("address", .string(address)), ("path", .string(path.rawValue))])
        case .viewerLeft(let id, let reason):
            return ("viewer_left", [("viewer", .string(id)), ("reason", .string(reason.code)),
                                    ("detail", .string(reason.description))])
        case .pathChanged(let id, let address, let path):
            return ("path_changed", [("viewer", .string(id)), ("address", .string(address)), ("path", .string(path.rawValue))])
        }
    }

    /// `stats`: every viewer with its rate since the previous sample.
    static func stats(_ status: HostStatus, rates: HostRates) -> [(String, JSONValue)] {
        let viewers = status.viewers.map { viewer -> JSONValue in
            .object([
                ("viewer", .string(viewer.id)),
                ("address", .string(viewer.address)),
                ("path", .string(viewer.path.rawValue)),
                ("connected_seconds", .double(viewer.connectedSeconds.rounded())),
                ("rtt_ms", .double(viewer.roundTripMilliseconds)),
                ("bitrate_kbps", .double((rates.viewers[viewer.id] ?? 0) / 1000)),
                ("bytes_sent", .int(viewer.bytesSent)),
                ("lag_bytes", .int(viewer.lagBytes)),
                ("keyframe_skips", .int(viewer.keyframeSkips)),
                ("streams", .int(viewer.streams)),
            ])
        }
        return [("viewers", .array(viewers)), ("upload_kbps", .double(rates.total / 1000)),
                ("bytes_sent", .int(status.bytesSent)), ("capturing", .bool(status.capturing))]
    }
}

/// Bit rates between successive host status samples.
struct HostRates {
    var total: Double = 0
    var viewers: [String: Double] = [:]
}

/// Keeps the previous sample so each status gets rates (bit/s).
struct HostRateTracker {
    private var meter = BitrateMeter<String>()
    private static let totalKey = "\u{0}total"

    mutating func rates(for status: HostStatus, at seconds: Double) -> HostRates {
        var rates = HostRates()
        rates.total = meter.sample(Self.totalKey, bytes: status.bytesSent, at: seconds) ?? 0
        for viewer in status.viewers {
            rates.viewers[viewer.id] = meter.sample(viewer.id, bytes: viewer.bytesSent, at: seconds) ?? 0
        }
        meter.retain(only: Set(status.viewers.map(\.id) + [Self.totalKey]))
        return rates
    }
}
