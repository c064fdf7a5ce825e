internal import CNgtcp2
import Foundation

/// A self-signed ECDSA P-256 certificate, made fresh in memory or read back
/// from PEM (a kept ticket), and the GnuTLS credentials that present it.
/// Owns the key, the certificate and the credentials handle; frees them in
/// deinit.
///
/// `@unchecked Sendable`: every field is set in `init` and never changed;
/// GnuTLS only reads credentials once they are built, so sessions on any
/// thread may share one identity.
public final class TLSIdentity: @unchecked Sendable {
    let credentials: gnutls_certificate_credentials_t
    private let key: gnutls_x509_privkey_t
    private let certificate: gnutls_x509_crt_t
    /// SHA-256 of the certificate's DER encoding.
    public let fingerprint: [UInt8]

    public init(commonName: String = "pixelpass") throws {
        var key: gnutls_x509_privkey_t?
        var cert: gnutls_x509_crt_t?
        var creds: gnutls_certificate_credentials_t?
        try TLSError.check("gnutls_x509_privkey_init") { gnutls_x509_privkey_init(&key) }
        try TLSError.check("gnutls_x509_crt_init") { gnutls_x509_crt_init(&cert) }
        try TLSError.check("gnutls_certificate_allocate_credentials") {
            gnutls_certificate_allocate_credentials(&creds)
        }
        self.key = key!
        self.certificate = cert!
        self.credentials = creds!

        try TLSError.check("generate ECDSA key") {
            gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA, pp_gnutls_ecdsa_p256_bits(), 0)
        }
        try TLSError.check("set version") { gnutls_x509_crt_set_version(cert, 3) }
        var serial = [UInt8](repeating: 0, count: 16)
        try TLSError.check("random serial") { gnutls_rnd(GNUTLS_RND_NONCE, &serial, serial.count) }
        serial[0] &= 0x7f  // serial numbers are positive
        try TLSError.check("set serial") { gnutls_x509_crt_set_serial(cert, serial, serial.count) }
        let now = time(nil)
        try TLSError.check("set activation") { gnutls_x509_crt_set_activation_time(cert, now - 3600) }
        try TLSError.check("set expiration") { gnutls_x509_crt_set_expiration_time(cert, now + 3650 * 86400) }
        try TLSError.check("set name") {
            gnutls_x509_crt_set_dn_by_oid(cert, GNUTLS_OID_X520_COMMON_NAME, 0, commonName, UInt32(commonName.utf8.count))
        }
        try TLSError.check("set key") { gnutls_x509_crt_set_key(cert, key) }
        try TLSError.check("self-sign") { gnutls_x509_crt_sign2(cert, cert, key, GNUTLS_DIG_SHA256, 0) }

        fingerprint = try TLSIdentity.fingerprint(of: cert!)
        try TLSIdentity.present(cert!, key!, in: creds!)
    }

    /// The identity `pem()` wrote: the same certificate (so the same
    /// fingerprint) and key. Fails if either is missing or malformed, or if
    /// the key is not the certificate's.
    public init(pem: String) throws {
        var key: gnutls_x509_privkey_t?
        var cert: gnutls_x509_crt_t?
        var creds: gnutls_certificate_credentials_t?
        try TLSError.check("gnutls_x509_privkey_init") { gnutls_x509_privkey_init(&key) }
        try TLSError.check("gnutls_x509_crt_init") { gnutls_x509_crt_init(&cert) }
        try TLSError.check("gnutls_certificate_allocate_credentials") {
            gnutls_certificate_allocate_credentials(&creds)
        }
        self.key = key!
        self.certificate = cert!
        self.credentials = creds!

        var bytes = Array(pem.utf8)
        try bytes.withUnsafeMutableBytes { buffer in
            var datum = gnutls_datum_t(data: buffer.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                       size: UInt32(buffer.count))
            try TLSError.check("reading its certificate") { gnutls_x509_crt_import(cert, &datum, GNUTLS_X509_FMT_PEM) }
            try TLSError.check("reading its private key") { gnutls_x509_privkey_import(key, &datum, GNUTLS_X509_FMT_PEM) }
        }
        fingerprint = try TLSIdentity.fingerprint(of: cert!)
        // GnuTLS refuses a key that does not belong to the certificate here.
        try TLSIdentity.present(cert!, key!, in: creds!, operation: "pairing its key with its certificate")
    }

    /// The certificate and the private key, PEM, one after the other: what
    /// `init(pem:)` reads. The key is not encrypted; whoever stores it keeps
    /// the file private.
    public func pem() throws -> String {
        var certificatePEM = gnutls_datum_t()
        try TLSError.check("export certificate") {
            gnutls_x509_crt_export2(certificate, GNUTLS_X509_FMT_PEM, &certificatePEM)
        }
        defer { gnutls_free_datum(&certificatePEM) }
        var keyPEM = gnutls_datum_t()
        try TLSError.check("export private key") { gnutls_x509_privkey_export2(key, GNUTLS_X509_FMT_PEM, &keyPEM) }
        defer { gnutls_free_datum(&keyPEM) }
        return Self.text(certificatePEM) + Self.text(keyPEM)
    }

    /// SHA-256 of the certificate's DER encoding.
    private static func fingerprint(of cert: gnutls_x509_crt_t) throws -> [UInt8] {
        var der = gnutls_datum_t()
        try TLSError.check("export certificate") { gnutls_x509_crt_export2(cert, GNUTLS_X509_FMT_DER, &der) }
        defer { gnutls_free_datum(&der) }
        return Fingerprint.sha256(of: UnsafeRawBufferPointer(start: der.data, count: Int(der.size)))
    }

    private static func present(_ cert: gnutls_x509_crt_t, _ key: gnutls_x509_privkey_t,
                                in creds: gnutls_certificate_credentials_t, operation: String = "set credentials") throws {
        var certs: gnutls_x509_crt_t? = cert
        try TLSError.check(operation) {
            gnutls_certificate_set_x509_key(creds, &certs, 1, key)
        }
    }

    private static func text(_ datum: gnutls_datum_t) -> String {
        guard let data = datum.data else { return "" }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(datum.size)), as: UTF8.self)
    }

    deinit {
        gnutls_certificate_free_credentials(credentials)
        gnutls_x509_crt_deinit(certificate)
        gnutls_x509_privkey_deinit(key)
    }
}

/// `gnutls_free` is a global function pointer in GnuTLS; wrap it once.
func gnutls_free_datum(_ datum: inout gnutls_datum_t) {
    if let data = datum.data { pp_gnutls_free(data) }
    datum.data = nil
    datum.size = 0
}
