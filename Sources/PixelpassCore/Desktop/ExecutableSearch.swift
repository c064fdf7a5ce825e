import Foundation

/// Finds a program the way a shell would: the directories of PATH in order.
/// The file test is injected so tests can describe any machine.
public struct ExecutableSearch: Sendable {
    public var path: [String]
    public var isExecutable: @Sendable (String) -> Bool

    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                isExecutable: @escaping @Sendable (String) -> Bool = { FileManager.default.isExecutableFile(atPath: $0) }) {
        // An empty PATH entry means the current directory; skip it, a
        // diagnostic must not run whatever lies around in the cwd.
        self.path = (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin")
            .split(separator: ":").map(String.init).filter { $0.hasPrefix("/") }
        self.isExecutable = isExecutable
    }

    /// The full path of `tool`, or nil when it is not installed.
    public func locate(_ tool: String) -> String? {
        path.map { "\($0)/\(tool)" }.first(where: isExecutable)
    }

    public func has(_ tool: String) -> Bool {
        locate(tool) != nil
    }
}
