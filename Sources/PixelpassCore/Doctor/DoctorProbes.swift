import Foundation
import PixelpassMedia

/// Everything the checks look at, injected so tests can describe any
/// machine: the environment, files, installed tools, tool runs, and the
/// media layer's answers.
public struct DoctorProbes: Sendable {
    public typealias Run = @Sendable (_ tool: String, _ arguments: [String], _ timeout: TimeInterval) -> Result<ToolOutcome, ToolLaunchError>

    public var environment: [String: String]
    public var fileExists: @Sendable (String) -> Bool
    public var isInstalled: @Sendable (String) -> Bool
    public var run: Run
    public var canInstantiate: @Sendable (String) -> Bool
    public var trialEncoder: @Sendable (String) -> MediaDiagnostics.EncoderTrial
    public var systemAudio: @Sendable () -> AudioPlan
    public var vaapi: @Sendable () -> VAAPIInventory

    public init(environment: [String: String], fileExists: @escaping @Sendable (String) -> Bool,
                isInstalled: @escaping @Sendable (String) -> Bool, run: @escaping Run,
                canInstantiate: @escaping @Sendable (String) -> Bool,
                trialEncoder: @escaping @Sendable (String) -> MediaDiagnostics.EncoderTrial,
                systemAudio: @escaping @Sendable () -> AudioPlan,
                vaapi: @escaping @Sendable () -> VAAPIInventory) {
        self.environment = environment
        self.fileExists = fileExists
        self.isInstalled = isInstalled
        self.run = run
        self.canInstantiate = canInstantiate
        self.trialEncoder = trialEncoder
        self.systemAudio = systemAudio
        self.vaapi = vaapi
    }

    /// This machine. Call `GStreamer.initialize()` first.
    public static func live(environment: [String: String] = ProcessInfo.processInfo.environment) -> DoctorProbes {
        let search = ExecutableSearch(environment: environment)
        return DoctorProbes(
            environment: environment,
            fileExists: { FileManager.default.fileExists(atPath: $0) },
            isInstalled: { search.has($0) },
            run: { tool, arguments, timeout in
                // Tools see the same environment the checks read.
                Result { () throws(ToolLaunchError) in
                    try ToolProcess(timeout: timeout, search: search).run(tool, arguments, environment: environment)
                }
            },
            canInstantiate: { MediaDiagnostics.canInstantiate($0) },
            trialEncoder: { MediaDiagnostics.trialEncoder(named: $0) },
            systemAudio: { MediaDiagnostics.systemAudio() },
            vaapi: { VAAPIProbe.inventory() })
    }

    /// A non-empty environment variable.
    func variable(_ name: String) -> String? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        return value
    }
}
