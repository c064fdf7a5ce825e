import Foundation

/// Remembers the portal's restore token between runs, one file per kind
/// of offer (a token restores what was picked, so a monitor's token must
/// not answer a request for a window).
public struct RestoreTokenStore: Sendable, Equatable {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    func file(for offer: ScreenCastOptions.Offer) -> URL {
        directory.appendingPathComponent("screencast-\(offer.rawValue).token")
    }

    /// The stored token, if any that looks valid (the portal rejects the
    /// whole request for a malformed one: it must be a UUID).
    public func token(for offer: ScreenCastOptions.Offer) -> String? {
        guard let text = try? String(contentsOf: file(for: offer), encoding: .utf8) else { return nil }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return UUID(uuidString: token) != nil ? token : nil
    }

    /// Stores the new token, or forgets the old one when there is none.
    public func save(_ token: String?, for offer: ScreenCastOptions.Offer) throws {
        let url = file(for: offer)
        guard let token else {
            try? FileManager.default.removeItem(at: url)
            return
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        try Self.writePrivately(Array((token + "\n").utf8), to: url.path)
    }

    /// 0600 from the moment the file exists (a temporary file renamed over
    /// the old one), not chmod-ed after a window in which others could read it.
    private static func writePrivately(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".new"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        do {
            // A left-over temporary file keeps its old mode through O_TRUNC.
            guard fchmod(descriptor, 0o600) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            try handle.write(contentsOf: bytes)
            try handle.close()
            guard rename(temporary, path) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Forgets every stored token; returns how many there were.
    @discardableResult
    public func forgetAll() -> Int {
        ScreenCastOptions.Offer.allCases.reduce(0) { count, offer in
            let url = file(for: offer)
            guard FileManager.default.fileExists(atPath: url.path) else { return count }
            try? FileManager.default.removeItem(at: url)
            return count + 1
        }
    }
}
