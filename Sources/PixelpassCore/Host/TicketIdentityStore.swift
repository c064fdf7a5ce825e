import Foundation
import PixelpassTransport

/// Where `--keep-ticket` keeps the host's identity between shares: the
/// certificate and its private key (the fingerprint is the certificate's
/// hash, so the certificate itself is kept, not remade from the key) and the
/// ticket secret, in two files only the user may read. The folder is made
/// 0700 if it is not there; files are 0600 and replaced atomically (a
/// temporary file renamed over the old one).
public struct TicketIdentityStore: Equatable, Sendable {
    public static let identityFileName = "host-identity.pem"
    public static let secretFileName = "ticket-secret"
    /// More than either file could hold: something else is there.
    static let maximumFileSize = 64 * 1024

    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public var identityPath: String { directory + "/" + Self.identityFileName }
    public var secretPath: String { directory + "/" + Self.secretFileName }

    /// The kept identity and secret; nil when neither file is there yet.
    public func load() throws(TicketIdentityError) -> (identity: TLSIdentity, secret: [UInt8])? {
        let pem = try Self.read(identityPath)
        let secretText = try Self.read(secretPath)
        switch (pem, secretText) {
        case (nil, nil):
            return nil
        case (.some, nil):
            throw .corrupt(path: secretPath, problem: "it is missing, but \(Self.identityFileName) is there")
        case (nil, .some):
            throw .corrupt(path: identityPath, problem: "it is missing, but \(Self.secretFileName) is there")
        case (.some(let pem), .some(let secretText)):
            guard let secret = Self.secret(fromText: secretText) else {
                throw .corrupt(path: secretPath, problem: "it does not hold a secret of 16 to 64 bytes in hex")
            }
            do {
                return (try TLSIdentity(pem: pem), secret)
            } catch let error as TLSError {
                throw .corrupt(path: identityPath, problem: "\(error.operation): \(error.message)")
            } catch {
                throw .corrupt(path: identityPath, problem: "\(error)")
            }
        }
    }

    /// Keeps `identity` and `secret`, replacing what was kept.
    public func save(identity: TLSIdentity, secret: [UInt8]) throws(TicketIdentityError) {
        let pem: String
        do {
            pem = try identity.pem()
        } catch {
            throw .writeFailed(path: identityPath, reason: "\(error)")
        }
        try makeDirectory()
        try Self.writeAtomically(Array(pem.utf8), to: identityPath, in: directory)
        try Self.writeAtomically(Array(Self.secretText(secret).utf8), to: secretPath, in: directory)
    }

    // MARK: - Files

    func makeDirectory() throws(TicketIdentityError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw .writeFailed(path: directory, reason: "it is a file, not a folder")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw .writeFailed(path: directory, reason: error.localizedDescription)
        }
        // A folder made here holds only what the user may read (whatever the umask).
        _ = chmod(directory, 0o700)
    }

    /// The file's text, or nil if it is not there. Checks the file that was
    /// opened (fstat), not the name, so nothing can swap it in between.
    static func read(_ path: String) throws(TicketIdentityError) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            let code = errno
            // ENOTDIR: a file where the folder should be; nothing is kept there,
            // and making the folder says what is in the way.
            if code == ENOENT || code == ENOTDIR { return nil }
            throw .unreadable(path: path, reason: String(cString: strerror(code)))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        guard status.st_mode & S_IFMT == S_IFREG else { throw .corrupt(path: path, problem: "it is not a regular file") }
        let mode = UInt32(status.st_mode & 0o7777)
        if isTooOpen(mode: mode) { throw .tooOpen(path: path, mode: mode) }
        guard Int(status.st_size) <= maximumFileSize else {
            throw .corrupt(path: path, problem: "it is \(status.st_size) bytes, far more than pixelpass writes")
        }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                throw .unreadable(path: path, reason: String(cString: strerror(code)))
            }
            if count == 0 { break }
            bytes += buffer[..<count]
            if bytes.count > maximumFileSize { throw .corrupt(path: path, problem: "it is far larger than pixelpass writes") }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .corrupt(path: path, problem: "it is not text")
        }
        return text
    }

    /// Writes a new file next to `path` (0600 from the start), flushes it and
    /// renames it over `path`, so a reader sees the old file or the new one.
    static func writeAtomically(_ bytes: [UInt8], to path: String, in directory: String) throws(TicketIdentityError) {
        var template = Array((directory + "/.\((path as NSString).lastPathComponent).XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        if descriptor < 0 { throw .writeFailed(path: path, reason: String(cString: strerror(errno))) }
        let temporary = String(cString: template)
        var failure: String?
        if fchmod(descriptor, 0o600) != 0 { failure = String(cString: strerror(errno)) }
        var written = 0
        while failure == nil && written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                failure = String(cString: strerror(errno))
            } else {
                written += count
            }
        }
        if failure == nil && fsync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
        close(descriptor)
        if failure == nil && rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw .writeFailed(path: path, reason: failure)
        }
    }
}
