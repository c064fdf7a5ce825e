import ArgumentParser
import Foundation

// Usage errors exit 2 (not ArgumentParser's 64), so scripts can tell bad input
// from a host that cannot be reached (3), is not who the ticket says (4), or
// refuses us (5).
// A reader closing stdout early (`pixelpass host | head -1`) must not kill
// a running share: writes then fail with EPIPE, which Console handles.
signal(SIGPIPE, SIG_IGN)

do {
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
        Foundation.exit(0)
    }
    FileHandle.standardError.write(Data(("pixelpass: error: " + message + "\n").utf8))
    Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
}
