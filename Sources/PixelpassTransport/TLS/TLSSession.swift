internal import CNgtcp2

/// GnuTLS priorities for QUIC: TLS 1.3 only, the AEADs ngtcp2 supports.
let quicTLSPriority = "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:+AES-128-CCM:-GROUP-ALL:+GROUP-SECP256R1:+GROUP-X25519:+GROUP-SECP384R1:+GROUP-SECP521R1:%DISABLE_TLS13_COMPAT_MODE"

/// One GnuTLS session configured for QUIC with ALPN h3. Owns the
/// `gnutls_session_t`; the QUIC connection that owns this object keeps the
/// `ngtcp2_crypto_conn_ref` it points at alive.
final class TLSSession {
    enum Role {
        case server
        /// The client aborts the handshake unless the server certificate's
        /// SHA-256 equals `pinnedFingerprint`.
        case client(pinnedFingerprint: [UInt8])
    }

    let session: gnutls_session_t
    let role: Role
    /// Keeps the credentials alive as long as the session uses them.
    private let identity: TLSIdentity
    /// Set when the client rejected the server's certificate.
    private(set) var pinMismatch = false

    init(role: Role, identity: TLSIdentity, connRef: UnsafeMutablePointer<ngtcp2_crypto_conn_ref>) throws {
        self.role = role
        self.identity = identity
        var session: gnutls_session_t?
        let isServer: Bool
        switch role {
        case .server: isServer = true
        case .client: isServer = false
        }
        let flags = UInt32(isServer ? GNUTLS_SERVER : GNUTLS_CLIENT) | UInt32(GNUTLS_NO_END_OF_EARLY_DATA.rawValue)
        try TLSError.check("gnutls_init") { gnutls_init(&session, flags) }
        self.session = session!

        if isServer {
            try TLSError.check("configure QUIC server session") {
                ngtcp2_crypto_gnutls_configure_server_session(session) == 0 ? 0 : GNUTLS_E_INTERNAL_ERROR
            }
            // Ask for the viewer's certificate (its id) but do not require it,
            // so third-party clients without one still work.
            gnutls_certificate_server_set_request(session, GNUTLS_CERT_REQUEST)
        } else {
            try TLSError.check("configure QUIC client session") {
                ngtcp2_crypto_gnutls_configure_client_session(session) == 0 ? 0 : GNUTLS_E_INTERNAL_ERROR
            }
            gnutls_session_set_verify_function(session, tlsVerifyPinnedCertificate)
        }
        try TLSError.check("gnutls_priority_set_direct") {
            gnutls_priority_set_direct(session, quicTLSPriority, nil)
        }
        try TLSError.check("gnutls_credentials_set") {
            gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, UnsafeMutableRawPointer(identity.credentials))
        }
        let alpn = Array("h3".utf8)
        try alpn.withUnsafeBufferPointer { bytes in
            var datum = gnutls_datum_t(data: UnsafeMutablePointer(mutating: bytes.baseAddress), size: UInt32(bytes.count))
            try TLSError.check("gnutls_alpn_set_protocols") {
                gnutls_alpn_set_protocols(session, &datum, 1, UInt32(GNUTLS_ALPN_MANDATORY.rawValue))
            }
        }
        gnutls_session_set_ptr(session, connRef)
    }

    deinit {
        gnutls_deinit(session)
    }

    /// SHA-256 of the peer's leaf certificate, if it sent one.
    func peerFingerprint() -> [UInt8]? {
        var count: UInt32 = 0
        guard let certs = gnutls_certificate_get_peers(session, &count), count > 0 else { return nil }
        return Fingerprint.sha256(of: UnsafeRawBufferPointer(start: certs[0].data, count: Int(certs[0].size)))
    }

    /// Called from the GnuTLS verify hook: accept only the pinned certificate.
    fileprivate func verifyPeer() -> Bool {
        switch role {
        case .server:
            return true
        case .client(let pinned):
            let matches = peerFingerprint() == pinned
            if !matches { pinMismatch = true }
            return matches
        }
    }
}

/// GnuTLS certificate verify hook (client side). Recovers the QUIC connection
/// through the session pointer, which ngtcp2 also uses: it is the conn_ref
/// whose user_data is the (unretained) `QUICConnection` that owns this session.
private func tlsVerifyPinnedCertificate(_ session: gnutls_session_t?) -> Int32 {
    guard let session,
          let raw = gnutls_session_get_ptr(session) else { return -1 }
    let connRef = raw.assumingMemoryBound(to: ngtcp2_crypto_conn_ref.self)
    guard let owner = connRef.pointee.user_data else { return -1 }
    let connection = Unmanaged<QUICConnection>.fromOpaque(owner).takeUnretainedValue()
    return connection.tls.verifyPeer() ? 0 : -1
}
