internal import CNghttp3

/// HTTP/3 application error codes (RFC 9114 §8.1) we send or interpret.
public enum HTTP3ErrorCode {
    public static let noError: UInt64 = 0x100
    public static let generalProtocolError: UInt64 = 0x101
    public static let internalError: UInt64 = 0x102
    public static let requestRejected: UInt64 = 0x10b
    public static let requestCancelled: UInt64 = 0x10c
}

/// An nghttp3 failure, translated at the C boundary.
public struct HTTP3Error: Error, CustomStringConvertible, QUICApplicationError {
    public let operation: String
    public let code: Int32

    init(_ operation: String, _ code: Int32) {
        self.operation = operation
        self.code = code
    }

    /// The HTTP/3 error code to close the connection with.
    public var applicationCode: UInt64 { nghttp3_err_infer_quic_app_error_code(code) }

    public var description: String {
        "\(operation) failed: \(String(cString: nghttp3_strerror(code)))"
    }

    static func check(_ operation: String, _ rv: Int32) throws {
        if rv != 0 { throw HTTP3Error(operation, rv) }
    }
}
