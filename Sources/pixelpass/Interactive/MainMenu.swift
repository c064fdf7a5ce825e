import ArgumentParser
import Foundation
import PixelpassCore
import PixelpassTerminal

/// `pixelpass` on a terminal with no arguments: Host, View, Doctor, Quit.
enum MainMenu {
    static func run() throws {
        let session: InteractiveSession
        do {
            session = try InteractiveSession()
        } catch {
            Console.error("the menu needs a terminal (\(error)); see pixelpass --help")
            throw ExitStatus.usage.exitCode
        }
        defer { session.close() }
        var note: String?
        var list = ChoiceList([
            .init("Host — share your screen", letter: "h"),
            .init("View — watch a friend's screen", letter: "v"),
            .init("Doctor — check what works on this machine", letter: "d"),
            .init("Quit", letter: "q"),
        ])
        while true {
            let header = [session.style.bold("pixelpass \(PixelpassVersion.current)"),
                          "Show your screen to a friend, peer to peer."] + (note.map { ["", $0] } ?? [])
            let outcome = session.choose(header: header, list: &list,
                                         footer: ["↑/↓ and Enter, or the first letter · Ctrl+C quits"])
            note = nil
            let result: FlowResult
            switch outcome {
            case .chosen(0): result = HostFlow(session: session).run()
            case .chosen(1): result = ViewFlow(session: session).run()
            case .chosen(2): result = DoctorScreen(session: session).run()
            case .chosen, .cancelled, .interrupted: return
            case .unchanged, .moved: continue
            }
            switch result {
            case .quit: return
            case .back(let message): note = message
            }
        }
    }
}
