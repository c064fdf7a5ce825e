import Foundation
import PixelpassCore

/// One JSON event on stdout: `{"event":NAME,"time":UNIX_SECONDS,...}`.
enum EventLine {
    static func emit(_ name: String, _ fields: [(String, JSONValue)] = []) {
        let object = JSONValue.object([("event", .string(name)), ("time", .double(Date().timeIntervalSince1970))] + fields)
        Console.output(object.rendered)
    }

    static func error(_ message: String, exitStatus: ExitStatus) {
        emit("error", [("message", .string(message)), ("exit_code", .int(Int(exitStatus.rawValue)))])
    }

    static func ended(_ reason: String, exitStatus: ExitStatus) {
        emit("ended", [("reason", .string(reason)), ("exit_code", .int(Int(exitStatus.rawValue)))])
    }
}
