import Foundation
import PixelpassTicket

/// The key a host derives its stateless-reset tokens from, kept in
/// `$XDG_CACHE_HOME/pixelpass/reset-key` (else `~/.cache/pixelpass/`), 0600
/// in a 0700 folder. Every host run of this user shares it, so a host that
/// restarted can tell viewers of the one before that their connection is
/// gone (they notice at once, not after the idle timeout). Without a home
/// or a writable cache, each run has its own key and resets only its own.
struct StatelessResetKeyStore {
    static let keyLength = 32
    let path: String?

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        path = CacheLocation.file("reset-key", environment: environment)
    }

    /// The kept key, made and kept now if there is none; nil if it can be neither read nor kept.
    func obtain() -> [UInt8]? {
        guard let path else { return nil }
        if let text = try? TicketIdentityStore.read(path),
           let key = bytes(fromHex: text.trimmingCharacters(in: .whitespacesAndNewlines)), key.count == Self.keyLength {
            return key
        }
        let directory = (path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard (try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                            attributes: [.posixPermissions: 0o700])) != nil else { return nil }
            _ = chmod(directory, 0o700)
        }
        var generator = SystemRandomNumberGenerator()
        let key = (0..<Self.keyLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        guard (try? TicketIdentityStore.writeAtomically(Array((hexString(key) + "\n").utf8), to: path,
                                                         in: directory)) != nil else { return nil }
        return key
    }
}
