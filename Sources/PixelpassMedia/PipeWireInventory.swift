import Foundation

struct PipeWireNode: Sendable, Equatable {
    var id: UInt32
    var mediaClass: String
    var name: String
    /// The video size the node announces (negotiated format first, else
    /// its first enumerated format), when it announces a fixed one.
    var videoSize: VideoSize?

    /// Screen casts and cameras are `Video/Source`; a GStreamer
    /// `pipewiresink` or an application stream is `Stream/Output/Video`.
    var isVideoSource: Bool {
        mediaClass.hasPrefix("Video/Source") || mediaClass == "Stream/Output/Video"
    }

    /// "42 (pixelpass-test-video, Video/Source)", for error messages.
    var label: String { "\(id) (\(name), \(mediaClass))" }
}

/// PipeWire's nodes. The live one runs `pw-dump`; tests inject fixed lists.
protocol PipeWireInventory: Sendable {
    func nodes() throws -> [PipeWireNode]
}

enum PipeWireListing {
    /// Nodes from `pw-dump`'s JSON (an array of objects; nodes have
    /// `"type": "PipeWire:Interface:Node"`). Nodes without a media.class
    /// (drivers) are left out. Returns nil when the text is not that JSON.
    static func nodes(fromDump text: String) -> [PipeWireNode]? {
        guard let data = text.data(using: .utf8),
              let objects = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]]
        else { return nil }
        return objects.compactMap { object -> PipeWireNode? in
            guard object["type"] as? String == "PipeWire:Interface:Node",
                  let id = (object["id"] as? NSNumber)?.uint32Value,
                  let info = object["info"] as? [String: Any],
                  let props = info["props"] as? [String: Any],
                  let mediaClass = props["media.class"] as? String
            else { return nil }
            let name = (props["node.description"] as? String) ?? (props["node.name"] as? String) ?? "unnamed"
            let params = info["params"] as? [String: Any]
            let size = videoSize(in: params?["Format"]) ?? videoSize(in: params?["EnumFormat"])
            return PipeWireNode(id: id, mediaClass: mediaClass, name: name, videoSize: size)
        }
    }

    /// The size in the first format object of a param list: either
    /// `{"width": W, "height": H}` or a range `{"default": {...}, "min": …}`.
    private static func videoSize(in param: Any?) -> VideoSize? {
        guard let formats = param as? [[String: Any]], let format = formats.first,
              format["mediaType"] as? String == "video",
              let size = format["size"] as? [String: Any]
        else { return nil }
        let fixed = (size["default"] as? [String: Any]) ?? size
        guard let w = (fixed["width"] as? NSNumber)?.intValue, let h = (fixed["height"] as? NSNumber)?.intValue,
              w > 0, h > 0 else { return nil }
        return VideoSize(width: w, height: h)
    }
}

struct CommandLinePipeWireInventory: PipeWireInventory {
    var runner = CommandRunner()

    func nodes() throws -> [PipeWireNode] {
        let result = try runner.run("pw-dump", [],
                                    ifMissing: .toolMissing(tool: "pw-dump", purpose: "list PipeWire nodes", debianPackage: "pipewire-bin"))
        // pw-dump prints "can't connect: …" and exits non-zero without a daemon.
        guard result.status == 0, let nodes = PipeWireListing.nodes(fromDump: result.output) else {
            throw MediaError.pipeWireUnavailable(reason: "pw-dump: " + result.failureText)
        }
        return nodes
    }
}
