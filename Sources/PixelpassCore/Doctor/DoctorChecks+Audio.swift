import Foundation
import PixelpassMedia

extension DoctorChecks {
    /// `Server Name: PulseAudio (on PipeWire 0.3.65)` and
    /// `Default Sink: alsa_output…` from `pactl info`.
    static func pactlInfo(_ text: String) -> (server: String?, defaultSink: String?) {
        var server: String?, sink: String?
        for line in text.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let value = parts[1].trimmingCharacters(in: .whitespaces)
            switch parts[0].trimmingCharacters(in: .whitespaces) {
            case "Server Name": server = value
            case "Default Sink": sink = value
            default: continue
            }
        }
        return (server, sink)
    }

    /// Sharing works without audio, so this only warns.
    static func audio(_ probes: DoctorProbes) -> DoctorCheck {
        let noAudioFix = "start PipeWire's pulse server (systemctl --user start pipewire-pulse), or share with --no-audio"
        switch probes.run("pactl", ["info"], 3) {
        case .failure(.notInstalled):
            return DoctorCheck(name: "audio", status: .warning, detail: "pactl not installed: cannot find the system audio",
                               fix: "apt install pulseaudio-utils")
        case let .failure(.couldNotStart(_, reason)):
            return DoctorCheck(name: "audio", status: .warning, detail: "pactl could not start: \(reason)", fix: noAudioFix)
        case let .success(outcome) where !outcome.succeeded:
            return DoctorCheck(name: "audio", status: .warning,
                               detail: "no sound server answered (\(outcome.failureLine)): streams will have no audio", fix: noAudioFix)
        case let .success(outcome):
            let info = pactlInfo(outcome.output)
            let server = info.server ?? "a sound server"
            switch probes.systemAudio() {
            case let .systemMonitor(device):
                return DoctorCheck(name: "audio", status: .ok, detail: "\(server); system audio from \(device)")
            case let .unavailable(reason):
                return DoctorCheck(name: "audio", status: .warning, detail: "\(server): \(reason): streams will have no audio",
                                   fix: "choose an output device in your sound settings")
            case .none, .testTone, .sinkMonitor, .application:
                return DoctorCheck(name: "audio", status: .ok, detail: server)
            }
        }
    }
}
