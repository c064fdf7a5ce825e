import ArgumentParser
import Foundation
import PixelpassTerminal

// Usage errors exit 2 (not ArgumentParser's 64), so scripts can tell bad input
// from a host that cannot be reached (3), is not who the ticket says (4), or
// refuses us (5).
// A reader closing stdout early (`pixelpass host | head -1`) must not kill
// a running share: writes then fail with EPIPE, which Console handles.
signal(SIGPIPE, SIG_IGN)

do {
    // No arguments: the interactive menu on a terminal; usage otherwise.
    if CommandLine.arguments.count == 1 {
        guard Terminal.isInteractive else {
            FileHandle.standardError.write(Data((PixelpassCommand.helpMessage() + "\n\npixelpass: error: no ticket given and no terminal for the menu: run `pixelpass host` to share or `pixelpass TICKET` to watch\n").utf8))
            Foundation.exit(ExitStatus.usage.rawValue)
        }
        try ConfigDefaults.check()
        try MainMenu.run()
        Foundation.exit(ExitStatus.success.rawValue)
    }
    var command = try PixelpassCommand.parseAsRoot()
    try command.run()
} catch let exit as ExitCode {
    Foundation.exit(exit.rawValue)
} catch {
    let code = PixelpassCommand.exitCode(for: error)
    var message = PixelpassCommand.fullMessage(for: error)
    if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
    if code == .success {
        print(message)
        Foundation.exit(ExitStatus.success.rawValue)
    }
    FileHandle.standardError.write(Data(("pixelpass: error: " + message + "\n").utf8))
    Foundation.exit(ExitStatus(argumentParser: code).rawValue)
}
