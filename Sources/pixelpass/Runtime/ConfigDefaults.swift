import ArgumentParser
import Foundation
import PixelpassCore

/// The config file's values, read once per run. Commands take a flag's value
/// when given, else the file's, else the built-in default (`PixelpassConfig.Defaults`).
enum ConfigDefaults {
    private static let loaded: Result<LoadedConfig, ConfigError> = Result { () throws(ConfigError) in
        try PixelpassConfig.load(environment: ProcessInfo.processInfo.environment)
    }

    /// Fails with the file, line and problem (a usage error: exit 2).
    static func check() throws {
        if case .failure(let error) = loaded { throw ValidationError(error.description) }
    }

    /// The file's values (empty when it is missing or broken; `check` reports broken).
    static var values: PixelpassConfig {
        (try? loaded.get())?.values ?? PixelpassConfig()
    }
}
