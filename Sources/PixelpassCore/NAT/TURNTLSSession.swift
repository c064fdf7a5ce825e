import CGnuTLSCrypto
import Foundation

/// Why TLS to a `turns:` server did not work, translated once from GnuTLS,
/// with what the user can do about it.
public enum TURNTLSError: Error, Equatable, CustomStringConvertible {
    /// The server's certificate failed verification (chain or name).
    case certificateRejected(server: String, reason: String)
    /// `--turn-ca` / `turn_ca` could not be used.
    case unusableCAFile(path: String, reason: String)
    /// Another GnuTLS failure: where, and GnuTLS's words.
    case gnutls(operation: String, message: String)

    public var description: String {
        switch self {
        case .certificateRejected(let server, let reason):
            return "the TURN server \(server) presented a certificate pixelpass does not trust: \(reason)"
                + " (a self-hosted server with its own CA needs --turn-ca FILE or [nat] turn_ca)"
        case .unusableCAFile(let path, let reason):
            return "cannot use \(path) as the TURN server's CA (--turn-ca / turn_ca): \(reason)"
        case .gnutls(let operation, let message):
            return "TLS to the TURN server failed in \(operation): \(message)"
        }
    }

    static func from(_ operation: String, _ code: Int32) -> TURNTLSError {
        var text = gnutls_strerror(code).map { String(cString: $0) } ?? "error \(code)"
        if text.hasSuffix(".") { text.removeLast() }
        return .gnutls(operation: operation, message: text)
    }
}

/// The CAs a `turns:` server's certificate must chain to: the system's
/// trust store, plus the PEM file the user named. Owns the
/// `gnutls_certificate_credentials_t`; sessions keep it alive while they use it.
final class TURNTLSTrust {
    let credentials: gnutls_certificate_credentials_t

    init(extraCAFile: String?) throws {
        var credentials: gnutls_certificate_credentials_t?
        let rv = gnutls_certificate_allocate_credentials(&credentials)
        guard rv >= 0, let credentials else { throw TURNTLSError.from("gnutls_certificate_allocate_credentials", rv) }
        self.credentials = credentials
        // No system store is not fatal by itself: a private CA may be all
        // there is, and without either the handshake says what failed.
        _ = gnutls_certificate_set_x509_system_trust(credentials)
        if let path = extraCAFile {
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw TURNTLSError.unusableCAFile(path: path, reason: "no such readable file")
            }
            let count = gnutls_certificate_set_x509_trust_file(credentials, path, GNUTLS_X509_FMT_PEM)
            if count < 0 {
                guard case .gnutls(_, let message) = TURNTLSError.from("", count) else { fatalError("unreachable") }
                throw TURNTLSError.unusableCAFile(path: path, reason: message)
            }
            if count == 0 { throw TURNTLSError.unusableCAFile(path: path, reason: "it holds no PEM certificate") }
        }
    }

    deinit {
        gnutls_certificate_free_credentials(credentials)
    }
}

/// One TLS client session toward a `turns:` server, driven without a socket:
/// ciphertext from the network goes in with `receive`, ciphertext for the
/// network comes out of `takeCiphertext`, and plaintext goes through
/// `handshake`, `read` and `write`. Owns its `gnutls_session_t`.
///
/// The server's certificate is checked during the handshake against `trust`
/// and `serverName` (a DNS name, sent as SNI too, or an IP address matched
/// against the certificate's IP entries). There is no switch to skip it.
final class TURNTLSSession {
    private let session: gnutls_session_t
    /// The credentials must outlive the session that points at them.
    private let trust: TURNTLSTrust
    let serverName: String
    /// GnuTLS keeps this pointer for the session's life (verify_cert), so
    /// the C copy is ours, freed after the session.
    private let verifiedName: UnsafeMutablePointer<CChar>
    private var incoming: [UInt8] = []
    private var incomingStart = 0
    private var outgoing: [UInt8] = []
    private(set) var isHandshakeDone = false

    init(serverName: String, trust: TURNTLSTrust) throws {
        self.serverName = serverName
        self.trust = trust
        var session: gnutls_session_t?
        let rv = gnutls_init(&session, UInt32(GNUTLS_CLIENT))
        guard rv >= 0, let session else { throw TURNTLSError.from("gnutls_init", rv) }
        verifiedName = strdup(serverName)
        self.session = session
        try check("gnutls_set_default_priority") { gnutls_set_default_priority(session) }
        try check("gnutls_credentials_set") {
            gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, UnsafeMutableRawPointer(trust.credentials))
        }
        if !Self.isIPAddress(serverName) {
            // RFC 6066: SNI carries names only, never an address literal.
            try check("gnutls_server_name_set") {
                gnutls_server_name_set(session, GNUTLS_NAME_DNS, serverName, serverName.utf8.count)
            }
        }
        // Chain and name are verified inside the handshake, which fails
        // with GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR when either is wrong.
        gnutls_session_set_verify_cert(session, verifiedName, 0)
        // Unretained: this object owns the session, so it outlives every
        // push and pull the session makes.
        gnutls_transport_set_ptr(session, Unmanaged.passUnretained(self).toOpaque())
        gnutls_transport_set_push_function(session, turnTLSPush)
        gnutls_transport_set_pull_function(session, turnTLSPull)
    }

    deinit {
        gnutls_deinit(session)
        free(verifiedName)
    }

    /// Ciphertext from the server.
    func receive(_ bytes: some Sequence<UInt8>) {
        if incomingStart > 0, incomingStart == incoming.count {
            incoming.removeAll(keepingCapacity: true)
            incomingStart = 0
        }
        incoming.append(contentsOf: bytes)
    }

    /// Ciphertext for the server, produced since the last call.
    func takeCiphertext() -> [UInt8] {
        defer { outgoing.removeAll(keepingCapacity: true) }
        return outgoing
    }

    /// Advances the handshake with what has arrived; true once it is done.
    func handshake() throws -> Bool {
        guard !isHandshakeDone else { return true }
        let rv = gnutls_handshake(session)
        if rv == GNUTLS_E_AGAIN || rv == GNUTLS_E_INTERRUPTED { return false }
        if rv == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR { throw certificateError() }
        if rv < 0, gnutls_error_is_fatal(rv) == 0 { return false }
        if rv < 0 { throw TURNTLSError.from("the handshake with \(serverName)", rv) }
        isHandshakeDone = true
        return true
    }

    /// Plaintext the server sent, as much as has arrived; nil once the
    /// server closed the TLS session.
    func read() throws -> [UInt8]? {
        var plaintext: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let rv = chunk.withUnsafeMutableBytes { gnutls_record_recv(session, $0.baseAddress, $0.count) }
            if rv > 0 {
                plaintext += chunk[0..<rv]
                continue
            }
            if rv == 0 { return plaintext.isEmpty ? nil : plaintext }
            let code = Int32(rv)
            if code == GNUTLS_E_AGAIN || code == GNUTLS_E_INTERRUPTED { return plaintext }
            if gnutls_error_is_fatal(code) == 0 { continue }
            throw TURNTLSError.from("reading from \(serverName)", code)
        }
    }

    /// Encrypts `plaintext`; the records wait in `takeCiphertext`.
    func write(_ plaintext: [UInt8]) throws {
        var offset = 0
        while offset < plaintext.count {
            let rv = plaintext.withUnsafeBytes {
                gnutls_record_send(session, $0.baseAddress! + offset, $0.count - offset)
            }
            if rv < 0 {
                let code = Int32(rv)
                if code == GNUTLS_E_AGAIN || code == GNUTLS_E_INTERRUPTED { continue }
                throw TURNTLSError.from("writing to \(serverName)", code)
            }
            offset += rv
        }
    }

    /// A close_notify for the server (best effort).
    func close() {
        _ = gnutls_bye(session, GNUTLS_SHUT_WR)
    }

    fileprivate func push(_ bytes: UnsafeRawBufferPointer) -> Int {
        outgoing.append(contentsOf: bytes)
        return bytes.count
    }

    fileprivate func pull(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let available = incoming.count - incomingStart
        guard available > 0 else {
            gnutls_transport_set_errno(session, EAGAIN)
            return -1
        }
        let count = min(available, buffer.count)
        incoming.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[incomingStart..<(incomingStart + count)]))
        }
        incomingStart += count
        return count
    }

    /// What was wrong with the certificate, in GnuTLS's words.
    private func certificateError() -> TURNTLSError {
        let status = gnutls_session_get_verify_cert_status(session)
        var text = gnutls_datum_t()
        var reason = "verification failed (status 0x\(String(status, radix: 16)))"
        if gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &text, 0) >= 0, let data = text.data {
            reason = String(cString: data)
            gnutls_free(data)
        }
        return .certificateRejected(server: serverName, reason: reason)
    }

    private func check(_ operation: String, _ body: () -> Int32) throws {
        let rv = body()
        if rv < 0 { throw TURNTLSError.from(operation, rv) }
    }

    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}

// GnuTLS transport callbacks: top-level thunks that capture nothing and
// find the session owner in the transport pointer (set unretained above).

private func turnTLSPush(_ pointer: gnutls_transport_ptr_t?, _ data: UnsafeRawPointer?, _ count: Int) -> Int {
    guard let pointer, let data else { return 0 }
    let owner = Unmanaged<TURNTLSSession>.fromOpaque(pointer).takeUnretainedValue()
    return owner.push(UnsafeRawBufferPointer(start: data, count: count))
}

private func turnTLSPull(_ pointer: gnutls_transport_ptr_t?, _ data: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    guard let pointer, let data else { return 0 }
    let owner = Unmanaged<TURNTLSSession>.fromOpaque(pointer).takeUnretainedValue()
    return owner.pull(into: UnsafeMutableRawBufferPointer(start: data, count: count))
}
