import PixelpassCore

/// The watch as JSON lines on stdout (README "JSON events", viewer rows).
struct ViewJSONRenderer {
    mutating func render(_ event: ViewSessionEvent) {
        switch event {
        case .connecting, .playerClosed, .playerFailed(_, .notRequested, _):
            break
        case .connected(let url, let address, let path):
            EventLine.emit("listening", [("url", .string(url))])
            EventLine.emit("path_changed", [("address", .string(address)), ("path", .string(path.rawValue))])
        case .pathChanged(let address, let path):
            EventLine.emit("path_changed", [("address", .string(address)), ("path", .string(path.rawValue))])
        case .playerOpened(let choice, let launched):
            EventLine.emit("player_opened", [("player", .string(choice.rawValue)), ("pid", .int(Int(launched.pid)))])
        case .playerFailed(let choice, let error, _):
            EventLine.emit("player_failed", [("player", .string(choice.rawValue)), ("message", .string("\(error)"))])
        case .hostVideo(let video):
            EventLine.emit("host_video", Self.hostVideo(video))
        case .stats(let status, let bitrate):
            EventLine.emit("stats", [("address", .string(status.hostAddress)), ("path", .string(status.path.rawValue)),
                                     ("rtt_ms", .double(status.roundTripMilliseconds)),
                                     ("bitrate_kbps", .double(bitrate / 1000)),
                                     ("bytes_received", .int(status.bytesReceived)),
                                     ("players", .int(status.players)),
                                     ("host_video", status.hostVideo.map { .object(Self.hostVideo($0)) } ?? .null)])
        case .error(let error):
            EventLine.error(error.description, exitStatus: ExitStatus(error))
        case .ended(let end):
            EventLine.ended(end.code, exitStatus: ExitStatus(end))
        }
    }

    /// The host's rate and picture, and whether we get keyframes only.
    static func hostVideo(_ video: HostVideoReport) -> [(String, JSONValue)] {
        [("bitrate_kbps", .int(video.bitrateKbps)), ("width", .int(video.width)), ("height", .int(video.height)),
         ("fps", .int(video.fps)), ("keyframes_only", .bool(video.keyframesOnly))]
    }
}
