import ArgumentParser
import Foundation
import PixelpassCore
import PixelpassMedia

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check whether this machine can share its screen, and what to install if not.",
        discussion: """
        Checks the graphical session, the screen capture source (X11 display, or the
        ScreenCast portal and PipeWire on Wayland), the H.264 encoders (hardware VA-API
        and software), the GStreamer elements, system audio, players and clipboard
        tools, and reaching friends across the internet (STUN, NAT behaviour, the TURN
        relay from the config, router port mapping). Each row says OK, WARN
        (sharing works without it), FAIL (sharing cannot work) or INFO, with a
        one-line fix.

        Examples:
          pixelpass doctor
          pixelpass doctor --json | jq '.checks[] | select(.status == "fail")'

        Exit status: 0 when sharing can work here, 1 when it cannot.
        """
    )

    @Flag(help: "Skip the internet checks (STUN, NAT behaviour, TURN, port mapping).")
    var offline = false

    @Flag(help: "Print one JSON object: {\"sharing_can_work\": bool, \"checks\": [{\"name\", \"status\", \"detail\", \"fix\"}]}.")
    var json = false

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        try ConfigDefaults.check()
        let report = Self.report(environment: environment, offline: offline)
        if json {
            Console.output(report.renderJSON())
        } else {
            FileHandle.standardOutput.write(Data(report.renderText(colour: Self.wantsColour(environment)).utf8))
        }
        if !report.sharingCanWork {
            throw ExitStatus(doctor: report).exitCode
        }
    }

    /// Every check; `offline` skips the internet ones. The menu's Doctor
    /// screen runs this too, in process.
    static func report(environment: [String: String], offline: Bool) -> DoctorReport {
        GStreamer.initialize()
        var report = Doctor.run(.live(environment: environment))
        if !offline {
            report.checks += DoctorChecks.nat(NATDiagnosis.run(natSettings()))
        }
        return report
    }

    /// STUN servers and TURN relay as `pixelpass host` would use them by default.
    static func natSettings() -> NATSettings {
        let nat = ConfigDefaults.values.nat
        let turn = nat.turn.flatMap { TURNServerSetting.parse($0, secret: nat.turnSecret) }
        return NATSettings(stunServers: nat.stun ?? NATSettings.defaultSTUNServers, turn: turn, turnCA: nat.turnCA,
                           portMapping: nat.portMapping ?? true, dht: (try? DHTFlags().settings()) ?? DHTSettings())
    }

    /// Colour only on a terminal, and never when NO_COLOR is set (no-color.org).
    static func wantsColour(_ environment: [String: String]) -> Bool {
        isatty(STDOUT_FILENO) == 1 && (environment["NO_COLOR"] ?? "").isEmpty
    }
}
