import ArgumentParser
import PixelpassCore
import PixelpassMedia

struct AppsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apps",
        abstract: "List the applications playing audio, for pixelpass host --app NAME.",
        discussion: """
        Lists PipeWire's application output streams: the application's name,
        its program, process id and state. Share one of them with
        pixelpass host --app NAME (the name or the program, any case).

        Examples:
          pixelpass apps
          pixelpass apps --json | jq -r '.[].name'

        Exit status: 0 (also when nothing plays), 2 when no PipeWire sound
        server answers.
        """
    )

    @Flag(help: "Print a JSON array: [{\"name\", \"binary\", \"pid\", \"node\", \"media\", \"state\"}].")
    var json = false

    func run() throws {
        let apps: [PlayingApplication]
        do {
            apps = try PipeWireAudio.playingApplications()
        } catch let error as AppAudioError {
            Console.error("no PipeWire sound server answered (\(error.reason)); pixelpass apps and host --app need PipeWire with pipewire-pulse running in this session")
            throw ExitStatus.usage.exitCode
        }
        if json {
            Console.output(JSONValue.array(apps.map { app in
                .object([("name", .string(app.name)),
                         ("binary", app.binary.map { .string($0) } ?? .null),
                         ("pid", app.processID.map { .int($0) } ?? .null),
                         ("node", .int(Int(app.node))),
                         ("media", app.mediaName.map { .string($0) } ?? .null),
                         ("state", .string(app.state))])
            }).rendered)
            return
        }
        guard !apps.isEmpty else {
            Console.output("No application is playing audio right now. Start one, then run pixelpass apps again;"
                           + " pixelpass host --app NAME also waits for NAME to start playing.")
            return
        }
        let rows = [["NAME", "PROGRAM", "PID", "STATE", "PLAYING"]] + apps.map { app in
            [app.name, app.binary ?? "-", app.processID.map(String.init) ?? "-", app.state, app.mediaName ?? "-"]
        }
        let widths = (0..<5).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            Console.output(zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces))
        }
        let example = apps[0].name.contains(" ") ? "\"\(apps[0].name)\"" : apps[0].name
        Console.output("")
        Console.output("Share one application's sound: pixelpass host --app \(example)")
    }
}
