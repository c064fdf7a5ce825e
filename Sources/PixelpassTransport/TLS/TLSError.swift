internal import CNgtcp2

/// Failures of the GnuTLS layer, translated once at the C boundary.
public struct TLSError: Error, CustomStringConvertible {
    public let operation: String
    public let code: Int32

    init(_ operation: String, _ code: Int32) {
        self.operation = operation
        self.code = code
    }

    /// GnuTLS's own words for the code, without the final full stop.
    public var message: String {
        var text = gnutls_strerror(code).map { String(cString: $0) } ?? "error \(code)"
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    public var description: String {
        "TLS setup failed in \(operation): \(message)"
    }

    /// Calls a GnuTLS function and throws on a negative result.
    @discardableResult
    static func check(_ operation: String, _ body: () -> Int32) throws -> Int32 {
        let rv = body()
        if rv < 0 { throw TLSError(operation, rv) }
        return rv
    }
}
