import Foundation

/// Puts a text (a ticket, a URL) on the desktop clipboard through the
/// session's command-line tool.
public enum Clipboard {
    /// How long the tool's parent process may take: it exits as soon as its
    /// background child owns the selection.
    static let timeout: TimeInterval = 3

    public static func copy(_ text: String,
                            environment: [String: String] = ProcessInfo.processInfo.environment) -> ClipboardResult {
        let runner = ToolProcess(timeout: timeout, search: ExecutableSearch(environment: environment))
        return copy(text, environment: environment, isInstalled: runner.search.has) { tool in
            Result { () throws(ToolLaunchError) in try runner.run(tool.name, tool.arguments, input: text, environment: environment) }
        }
    }

    /// The session's clipboard tools that are installed, best first.
    public static func availableTools(environment: [String: String] = ProcessInfo.processInfo.environment) -> [ClipboardTool] {
        availableTools(environment: environment, isInstalled: ExecutableSearch(environment: environment).has)
    }

    static func availableTools(environment: [String: String], isInstalled: (String) -> Bool) -> [ClipboardTool] {
        ClipboardTool.available(for: SessionKind.detect(environment: environment),
                                xDisplayAvailable: !(environment["DISPLAY"] ?? "").isEmpty,
                                isInstalled: isInstalled)
    }

    /// The decision and the reporting, with the running injected: tries each
    /// installed tool in turn and reports every failure if none works.
    static func copy(_ text: String, environment: [String: String], isInstalled: (String) -> Bool,
                     run: (ClipboardTool) -> Result<ToolOutcome, ToolLaunchError>) -> ClipboardResult {
        let session = SessionKind.detect(environment: environment)
        if case .none = session {
            return .notCopied(reason: "no graphical session: nothing to copy to")
        }
        let tools = availableTools(environment: environment, isInstalled: isInstalled)
        guard !tools.isEmpty else {
            return .notCopied(reason: "no clipboard tool: " + ClipboardTool.installHint(for: session))
        }
        var failures: [String] = []
        for tool in tools {
            switch run(tool) {
            case let .success(outcome) where outcome.succeeded:
                return .copied(tool: tool.name)
            case let .success(outcome):
                failures.append("\(tool.name) failed: \(outcome.failureLine)")
            case let .failure(error):
                failures.append(describe(error))
            }
        }
        return .notCopied(reason: failures.joined(separator: "; "))
    }

    private static func describe(_ error: ToolLaunchError) -> String {
        switch error {
        case let .notInstalled(tool): return "\(tool) is not installed"
        case let .couldNotStart(tool, reason): return "\(tool) could not start: \(reason)"
        }
    }
}
