/// An immutable byte chunk at a stable heap address. QUIC may reference the
/// bytes until the peer acknowledges them, and one chunk can be queued to many
/// viewers at once without copying.
public final class SharedBytes: @unchecked Sendable {
    private let storage: UnsafeMutableRawPointer
    public let count: Int

    public init(copying bytes: UnsafeRawBufferPointer) {
        count = bytes.count
        storage = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 8)
        if let base = bytes.baseAddress, count > 0 {
            storage.copyMemory(from: base, byteCount: count)
        }
    }

    public init(_ bytes: [UInt8]) {
        count = bytes.count
        storage = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 8)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress, count > 0 { storage.copyMemory(from: base, byteCount: count) }
        }
    }

    var baseAddress: UnsafeRawPointer { UnsafeRawPointer(storage) }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: storage, count: count))
    }

    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    deinit { storage.deallocate() }
}
