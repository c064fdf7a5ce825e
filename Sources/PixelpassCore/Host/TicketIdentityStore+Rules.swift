import Foundation
import PixelpassTicket

// The store's decisions that need no file system: where it lives, which
// modes are too open, and what the secret file holds.
extension TicketIdentityStore {
    /// `$XDG_CONFIG_HOME/pixelpass`, else `$HOME/.config/pixelpass` (the
    /// config file's folder by the same XDG rules, but not moved by
    /// `PIXELPASS_CONFIG`, which names one file). Nil without either.
    public static func directory(environment: [String: String]) -> String? {
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            return join(xdg, "pixelpass")
        }
        if let home = environment["HOME"], !home.isEmpty {
            return join(home, ".config/pixelpass")
        }
        return nil
    }

    /// Group or others may read, write or search it.
    public static func isTooOpen(mode: UInt32) -> Bool {
        mode & 0o077 != 0
    }

    /// The secret file's text: lowercase hex, one line.
    static func secretText(_ secret: [UInt8]) -> String {
        hexString(secret) + "\n"
    }

    /// The secret in a secret file's text; nil unless it is hex for 16 to 64 bytes.
    static func secret(fromText text: String) -> [UInt8]? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = bytes(fromHex: trimmed), (16...64).contains(bytes.count) else { return nil }
        return bytes
    }

    /// "0644".
    static func octal(_ mode: UInt32) -> String {
        let digits = String(mode & 0o7777, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private static func join(_ directory: String, _ rest: String) -> String {
        var base = directory
        while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
        return base == "/" ? "/" + rest : base + "/" + rest
    }
}
