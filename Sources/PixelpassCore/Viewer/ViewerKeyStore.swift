import Foundation
import PixelpassTicket
import PixelpassTransport

/// The viewer's lasting key: 32 random bytes in `viewer-key` beside the
/// host's kept identity (0600 in a 0700 folder), made on first use. The
/// host sees only a hash of it (`ViewerIntroduction.key`).
public struct ViewerKeyStore: Sendable {
    public static let fileName = "viewer-key"
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public var path: String { directory + "/" + Self.fileName }

    /// The key's public form, made and kept on first use.
    public func publicKey() throws(TicketIdentityError) -> String {
        let secret: [UInt8]
        if let text = try TicketIdentityStore.read(path),
           let kept = bytes(fromHex: text.trimmingCharacters(in: .whitespacesAndNewlines)), kept.count == 32 {
            secret = kept
        } else {
            secret = SecretGenerator.bytes(32)
            try TicketIdentityStore(directory: directory).makeDirectory()
            try TicketIdentityStore.writeAtomically(Array((hexString(secret) + "\n").utf8), to: path, in: directory)
        }
        return secret.withUnsafeBytes { hexString(Fingerprint.sha256(of: $0)) }
    }
}
