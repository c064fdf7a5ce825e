import ArgumentParser

// Placeholder registered so parallel work can fill it in; replaced in this issue.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "doctor", abstract: "(in progress)", shouldDisplay: false)
}
