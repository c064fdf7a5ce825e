import Foundation

/// Reads the config file with plain POSIX calls, so "permission denied" and
/// "is a directory" reach the user as the system says them.
enum ConfigFileReader {
    /// The file's text, or `nil` if there is no file (not an error: the
    /// built-in defaults apply).
    static func read(_ path: String) throws(ConfigError) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            let code = errno
            if code == ENOENT { return nil }
            throw .unreadable(path: path, reason: String(cString: strerror(code)))
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                throw .unreadable(path: path, reason: String(cString: strerror(code)))
            }
            if count == 0 { break }
            bytes += buffer[0..<count]
            // A config file is a few hundred bytes; refuse to slurp a huge mistake.
            if bytes.count > 1 << 20 { throw .unreadable(path: path, reason: "larger than 1 MiB, not a config file") }
        }
        // TOMLKit hands the text to C++ as a C string, which would end at a NUL.
        guard !bytes.contains(0) else { throw .unreadable(path: path, reason: "contains NUL bytes, not a text file") }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .unreadable(path: path, reason: "not UTF-8 text")
        }
        return text
    }
}
