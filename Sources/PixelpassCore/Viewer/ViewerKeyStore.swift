import Foundation
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
           let kept = Self.bytes(hex: text.trimmingCharacters(in: .whitespacesAndNewlines)), kept.count == 32 {
            secret = kept
        } else {
            secret = SecretGenerator.bytes(32)
            try TicketIdentityStore(directory: directory).makeDirectory()
            try TicketIdentityStore.writeAtomically(Array((Self.hex(secret) + "\n").utf8), to: path, in: directory)
        }
        return secret.withUnsafeBytes { Self.hex(Fingerprint.sha256(of: $0)) }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        var index = 0
        while index < digits.count {
            guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else { return nil }
            out.append(byte)
            index += 2
        }
        return out
    }
}
