import ArgumentParser

// Placeholder registered so parallel work can fill it in; replaced in this issue.
struct CompletionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "completions", abstract: "(in progress)", shouldDisplay: false)
}
