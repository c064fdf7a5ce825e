import Foundation
import PixelpassMedia
@testable import PixelpassCore

/// A described machine for the doctor: which tools exist, what they print,
/// which elements and encoders work.
struct FakeMachine {
    var environment: [String: String] = [:]
    var files: Set<String> = []
    var tools: Set<String> = []
    /// Keyed by "tool arg arg…"; a tool that is installed but not listed exits 1.
    var outcomes: [String: ToolOutcome] = [:]
    var elements: Set<String> = Set(DoctorChecks.elements.map(\.name) + ["avenc_aac"])
    var workingEncoders: Set<String> = ["x264enc"]
    var audio: AudioPlan = .systemMonitor(device: "sink.monitor")
    var vaapi: VAAPIInventory = .noDevices

    var probes: DoctorProbes {
        let machine = self
        return DoctorProbes(
            environment: machine.environment,
            fileExists: { machine.files.contains($0) },
            isInstalled: { machine.tools.contains($0) },
            run: { tool, arguments, _ in
                guard machine.tools.contains(tool) else { return .failure(.notInstalled(tool: tool)) }
                return .success(machine.outcomes[([tool] + arguments).joined(separator: " ")] ?? ToolOutcome(status: 1, errors: "\(tool): not faked"))
            },
            canInstantiate: { machine.elements.contains($0) },
            trialEncoder: { name in
                if machine.workingEncoders.contains(name) { return .works }
                return name.hasPrefix("va") ? .failed(reason: "no VA device") : .notInstalled(debianPackage: "gstreamer1.0-plugins-bad")
            },
            systemAudio: { machine.audio },
            vaapi: { machine.vaapi })
    }

    static let xwininfoRoot = ToolOutcome(status: 0, output: "xwininfo: Window id: 0x1e0 (the root window)\n  Width: 1280\n  Height: 720\n")
    static let pactlInfo = ToolOutcome(status: 0, output: "Server String: /run/user/0/pulse/native\nServer Name: PulseAudio (on PipeWire 0.3.65)\nDefault Sink: alsa_output.pci\n")

    /// An X11 desktop like the Xvfb the integration tests use.
    static var x11Desktop: FakeMachine {
        var machine = FakeMachine()
        machine.environment = ["DISPLAY": ":5"]
        machine.tools = ["xwininfo", "pactl", "mpv", "xclip"]
        machine.outcomes["xwininfo -root"] = xwininfoRoot
        machine.outcomes["pactl info"] = pactlInfo
        return machine
    }
}
