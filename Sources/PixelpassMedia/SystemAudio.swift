import Foundation

/// Finds the system audio: the default sink's monitor source, named
/// explicitly because pipewire-pulse 0.3.65 resolves `@DEFAULT_MONITOR@` to
/// the microphone (DESIGN.md §6). The live one asks `pactl`; tests inject
/// fixed answers.
protocol SystemAudioInventory: Sendable {
    /// `.systemMonitor(device:)` or `.unavailable(reason:)`.
    func defaultSinkMonitor() -> AudioPlan
    /// Whether the sound server is PipeWire (pipewire-pulse answers pactl).
    var isPipeWire: Bool { get }
}

extension SystemAudioInventory {
    var isPipeWire: Bool { false }
}

enum PulseListing {
    /// Source names from `pactl list short sources` (tab-separated: index,
    /// name, driver, sample spec, state).
    static func sourceNames(fromShortList text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            return fields.count >= 2 ? String(fields[1]) : nil
        }
    }

    /// The plan for a default sink and the sources that exist.
    /// Whether `pactl info` comes from pipewire-pulse:
    /// "Server Name: PulseAudio (on PipeWire 0.3.65)".
    static func isPipeWire(info text: String) -> Bool {
        text.split(whereSeparator: \.isNewline).contains { line in
            line.hasPrefix("Server Name:") && line.contains("PipeWire")
        }
    }

    static func monitorPlan(defaultSink: String, sources: [String]) -> AudioPlan {
        let sink = defaultSink.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !sink.isEmpty else {
            return .unavailable(reason: "the sound server has no default output")
        }
        let monitor = sink + ".monitor"
        guard sources.contains(monitor) else {
            return .unavailable(reason: "the default output '\(sink)' has no monitor source")
        }
        return .systemMonitor(device: monitor)
    }
}

struct PactlSystemAudio: SystemAudioInventory {
    var runner = CommandRunner(timeout: 3)

    var isPipeWire: Bool {
        guard let info = try? runner.run("pactl", ["info"], ifMissing: .toolMissing(tool: "pactl", purpose: "find the system audio", debianPackage: "pulseaudio-utils")),
              info.status == 0 else { return false }
        return PulseListing.isPipeWire(info: info.output)
    }

    func defaultSinkMonitor() -> AudioPlan {
        let missing = MediaError.toolMissing(tool: "pactl", purpose: "find the system audio", debianPackage: "pulseaudio-utils")
        do {
            let sink = try runner.run("pactl", ["get-default-sink"], ifMissing: missing)
            guard sink.status == 0 else {
                return .unavailable(reason: "no PulseAudio or PipeWire sound server answered (pactl: \(sink.failureText))")
            }
            let sources = try runner.run("pactl", ["list", "short", "sources"], ifMissing: missing)
            guard sources.status == 0 else {
                return .unavailable(reason: "the sound server did not list its sources (pactl: \(sources.failureText))")
            }
            return PulseListing.monitorPlan(defaultSink: sink.output, sources: PulseListing.sourceNames(fromShortList: sources.output))
        } catch {
            return .unavailable(reason: "pactl is not installed (install pulseaudio-utils)")
        }
    }
}
