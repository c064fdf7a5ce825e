import ArgumentParser
import PixelpassCore
import PixelpassMedia

struct RepairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Remove sound-server objects a crashed pixelpass host left behind.",
        discussion: """
        pixelpass host --app makes a capture sink (named pixelpass-app-PID) and
        removes it when the share ends. If the host was killed, the sink stays;
        this removes every pixelpass sink whose host is no longer running, or all
        of them with --all, and prints what it removed.

        Examples:
          pixelpass repair
          pixelpass repair --all
        """
    )

    @Flag(help: "Remove every pixelpass object, also those of hosts still running.")
    var all = false

    func run() throws {
        let removals: [PipeWireAudio.Removal]
        do {
            removals = try PipeWireAudio.repair(all: all)
        } catch let error as AppAudioError {
            // Objects live only as long as their sound server.
            Console.output("nothing to repair: no PipeWire sound server is running (\(error.reason))")
            return
        }
        guard !removals.isEmpty else {
            Console.output("nothing to repair")
            return
        }
        for removal in removals {
            Console.output("\(removal.name) (host pid \(removal.ownerPID)): \(removal.detail)")
        }
        if removals.contains(where: { !$0.removed }) { throw ExitCode.failure }
    }
}
