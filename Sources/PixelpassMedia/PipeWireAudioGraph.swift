import Foundation

/// The audio part of PipeWire's graph, read from one `pw-dump` snapshot:
/// application streams, the ports and the links between them, and the
/// objects pixelpass made. Pure, so routing and repair decisions are tested
/// on fixed snapshots.
struct PipeWireAudioGraph: Sendable, Equatable {
    /// An application playing (or paused) audio: a `Stream/Output/Audio` node.
    struct Stream: Sendable, Equatable {
        var id: UInt32
        /// `application.name`, e.g. "Firefox", "mpv".
        var application: String?
        /// `application.process.binary`, e.g. "firefox", "mpv".
        var binary: String?
        var processID: Int?
        /// `media.name`, what is playing ("Big Buck Bunny", "AudioStream").
        var mediaName: String?
        /// "running", "idle", "suspended", …
        var state: String
    }

    struct Port: Sendable, Equatable {
        var id: UInt32
        var node: UInt32
        var isOutput: Bool
        /// `audio.channel`: "FL", "FR", "MONO", …; nil when not announced.
        var channel: String?
        /// A sink's monitor ports are outputs too; they are never linked from.
        var isMonitor: Bool
    }

    struct Link: Sendable, Equatable, Hashable {
        var outputPort: UInt32
        var inputPort: UInt32
    }

    /// A node carrying pixelpass's tag (`pixelpass.pid`).
    struct TaggedNode: Sendable, Equatable {
        var id: UInt32
        var name: String
        var ownerPID: Int32
        /// `pulse.module.id` when pipewire-pulse made it (pactl load-module).
        var pulseModule: UInt32?
    }

    var streams: [Stream] = []
    var ports: [Port] = []
    var links: Set<Link> = []
    /// node.name → node id, for the audio sinks.
    var sinks: [String: UInt32] = [:]
    var tagged: [TaggedNode] = []

    /// Parses `pw-dump` JSON; nil when the text is not that JSON.
    static func parse(dump text: String) -> PipeWireAudioGraph? {
        guard let data = text.data(using: .utf8),
              let objects = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]]
        else { return nil }
        var graph = PipeWireAudioGraph()
        for object in objects {
            guard let type = object["type"] as? String, let id = number(object["id"]).flatMap(UInt32.init(exactly:)),
                  let info = object["info"] as? [String: Any] else { continue }
            let props = info["props"] as? [String: Any] ?? [:]
            switch type {
            case "PipeWire:Interface:Node":
                let mediaClass = props["media.class"] as? String
                let name = props["node.name"] as? String ?? ""
                if mediaClass == "Stream/Output/Audio" {
                    graph.streams.append(Stream(id: id, application: props["application.name"] as? String,
                                                binary: props["application.process.binary"] as? String,
                                                processID: number(props["application.process.id"]),
                                                mediaName: props["media.name"] as? String,
                                                state: info["state"] as? String ?? "unknown"))
                } else if mediaClass == "Audio/Sink" {
                    graph.sinks[name] = id
                }
                if let pid = number(props[PixelpassTag.pidProperty]).flatMap(Int32.init(exactly:)) {
                    graph.tagged.append(TaggedNode(id: id, name: name, ownerPID: pid,
                                                   pulseModule: number(props["pulse.module.id"]).flatMap(UInt32.init(exactly:))))
                }
            case "PipeWire:Interface:Port":
                guard let node = number(props["node.id"]).flatMap(UInt32.init(exactly:)) else { continue }
                let direction = (info["direction"] as? String) ?? (props["port.direction"] as? String)
                graph.ports.append(Port(id: id, node: node, isOutput: direction == "output" || direction == "out",
                                        channel: props["audio.channel"] as? String,
                                        isMonitor: bool(props["port.monitor"])))
            case "PipeWire:Interface:Link":
                if let output = number(info["output-port-id"]).flatMap(UInt32.init(exactly:)),
                   let input = number(info["input-port-id"]).flatMap(UInt32.init(exactly:)) {
                    graph.links.insert(Link(outputPort: output, inputPort: input))
                }
            default:
                continue
            }
        }
        return graph
    }

    /// pw-dump writes numbers, but property values may also be strings.
    private static func number(_ value: Any?) -> Int? {
        if let number = value as? NSNumber { return number.intValue }
        if let text = value as? String { return Int(text) }
        return nil
    }

    private static func bool(_ value: Any?) -> Bool {
        if let number = value as? NSNumber { return number.boolValue }
        if let text = value as? String { return text == "true" || text == "1" }
        return false
    }
}

/// How pixelpass marks the PipeWire objects it makes, so `pixelpass repair`
/// can find the ones a crashed host left behind.
enum PixelpassTag {
    /// Every node name starts with this.
    static let namePrefix = "pixelpass-"
    /// The host's process id, on every object it makes.
    static let pidProperty = "pixelpass.pid"
    static let appProperty = "pixelpass.app"

    /// The null sink of the host with this pid.
    static func appSinkName(pid: Int32) -> String { "\(namePrefix)app-\(pid)" }

    /// The objects `repair` removes: pixelpass's (name prefix and pid tag)
    /// whose host is gone, or all of them with `all`.
    static func leftovers(in graph: PipeWireAudioGraph, all: Bool,
                          isAlive: (Int32) -> Bool) -> [PipeWireAudioGraph.TaggedNode] {
        graph.tagged.filter { node in
            node.name.hasPrefix(namePrefix) && (all || !isAlive(node.ownerPID))
        }
    }
}

/// Which streams `--app NAME` means, and which links feed them into
/// pixelpass's sink.
enum AppAudioRouting {
    /// `application.name` or `application.process.binary`, ignoring case.
    static func matches(_ stream: PipeWireAudioGraph.Stream, application: String) -> Bool {
        let wanted = application.trimmingCharacters(in: .whitespaces)
        return [stream.application, stream.binary].contains { candidate in
            candidate.map { $0.caseInsensitiveCompare(wanted) == .orderedSame } ?? false
        }
    }

    /// Output port → sink input port pairs: by channel name (FL→FL, FR→FR);
    /// a single (mono) output feeds every input; otherwise channels that do
    /// not match by name pair up in order.
    static func pairs(outputs: [PipeWireAudioGraph.Port],
                      inputs: [PipeWireAudioGraph.Port]) -> [PipeWireAudioGraph.Link] {
        guard !outputs.isEmpty, !inputs.isEmpty else { return [] }
        if outputs.count == 1 {
            return inputs.map { PipeWireAudioGraph.Link(outputPort: outputs[0].id, inputPort: $0.id) }
        }
        var result: [PipeWireAudioGraph.Link] = []
        var freeOutputs: [PipeWireAudioGraph.Port] = []
        var usedInputs = Set<UInt32>()
        for output in outputs {
            if let channel = output.channel,
               let input = inputs.first(where: { $0.channel == channel && !usedInputs.contains($0.id) }) {
                result.append(.init(outputPort: output.id, inputPort: input.id))
                usedInputs.insert(input.id)
            } else {
                freeOutputs.append(output)
            }
        }
        let freeInputs = inputs.filter { !usedInputs.contains($0.id) }
        for (output, input) in zip(freeOutputs, freeInputs) {
            result.append(.init(outputPort: output.id, inputPort: input.id))
        }
        return result
    }

    /// The links still to make so every matching stream also plays into
    /// `sink` (its normal links stay as they are).
    static func missingLinks(in graph: PipeWireAudioGraph, application: String, sink: String) -> [PipeWireAudioGraph.Link] {
        guard let sinkID = graph.sinks[sink] else { return [] }
        let inputs = graph.ports.filter { $0.node == sinkID && !$0.isOutput }.sorted { $0.id < $1.id }
        return graph.streams.filter { matches($0, application: application) }.flatMap { stream -> [PipeWireAudioGraph.Link] in
            let outputs = graph.ports.filter { $0.node == stream.id && $0.isOutput && !$0.isMonitor }.sorted { $0.id < $1.id }
            return pairs(outputs: outputs, inputs: inputs).filter { !graph.links.contains($0) }
        }
    }

    /// The matching streams, for the host's "now capturing" messages.
    static func matchingStreams(in graph: PipeWireAudioGraph, application: String) -> [PipeWireAudioGraph.Stream] {
        graph.streams.filter { matches($0, application: application) }
    }
}
