import ArgumentParser

// Placeholder registered so parallel work can fill it in; replaced in this issue.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "config", abstract: "(in progress)", shouldDisplay: false)
}
