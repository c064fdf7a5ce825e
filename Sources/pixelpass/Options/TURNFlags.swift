import ArgumentParser
import Foundation
import PixelpassCore

/// `--turn`, `--turn-secret` and `--turn-ca` as given (nil: not given), read
/// the same way by `host` and `view`: each flag, else the config's [nat].
struct TURNFlags {
    var turn: String?
    var secret: String?
    var caFile: String?

    /// The relay, or nil without one; a clear message for a bad URL.
    func setting() throws -> TURNServerSetting? {
        let nat = ConfigDefaults.values.nat
        guard let text = turn ?? nat.turn else {
            if secret != nil { throw ValidationError("--turn-secret needs --turn turn:HOST:PORT (the server it belongs to)") }
            return nil
        }
        let url: TURNServerURL
        do { url = try TURNServerURL(validating: text) } catch {
            throw ValidationError("--turn \(error.requirement) (got \"\(text)\")")
        }
        guard let parsed = url.setting(secret: secret ?? nat.turnSecret) else {
            throw ValidationError("--turn must be turn:USER:PASS@HOST:PORT, or turn:HOST:PORT together with --turn-secret (got \"\(text)\")")
        }
        return parsed
    }

    /// The CA file for turns: servers, checked to exist now rather than at
    /// the first handshake.
    func ca() throws -> String? {
        guard let path = caFile ?? ConfigDefaults.values.nat.turnCA else { return nil }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw ValidationError("--turn-ca must be a readable PEM file of CA certificates (got \"\(path)\")")
        }
        return path
    }
}
