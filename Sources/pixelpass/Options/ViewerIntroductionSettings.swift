import ArgumentParser
import Foundation
import PixelpassCore

/// Who this viewer says it is: `--name`, else `[view] name`, else the login
/// name; and the lasting key kept in the config folder. The menu uses it
/// without a flag, so both front ends introduce the viewer the same way.
enum ViewerIntroductionSettings {
    static func name(flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ViewerName? {
        if let flag {
            do { return try ViewerName(validating: flag) } catch { throw error.about("--name") }
        }
        if let configured = ConfigDefaults.values.view.name { return ViewerName(cleaning: configured) }
        return ViewerName.login(environment: environment)
    }

    /// Without a folder or with an unwritable one, the viewer goes without
    /// a lasting key (a kick then holds only for this run); it says why with -v.
    static func introduction(nameFlag: String?,
                             environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ViewerIntroduction {
        var introduction = ViewerIntroduction(name: try name(flag: nameFlag, environment: environment))
        if let directory = TicketIdentityStore.directory(environment: environment) {
            introduction.key = try? ViewerKeyStore(directory: directory).publicKey()
        }
        return introduction
    }
}
