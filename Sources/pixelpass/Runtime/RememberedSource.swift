import Foundation
import PixelpassCore
import PixelpassPortal

/// The desktop dialog's remembered choices (the portal's restore tokens),
/// kept next to the config file so the dialog appears once.
enum RememberedSource {
    static func store() -> RestoreTokenStore? {
        guard let location = try? ConfigLocation.resolve(environment: ProcessInfo.processInfo.environment) else { return nil }
        return RestoreTokenStore(directory: URL(fileURLWithPath: location.path).deletingLastPathComponent())
    }

    /// `--forget-source`, "Choose again": the dialog asks again next time.
    static func forget() {
        let forgotten = store()?.forgetAll() ?? 0
        Console.info(forgotten > 0 ? "forgot the screen chosen last time; the desktop will ask again"
                                   : "no remembered screen choice to forget")
    }
}
