/// An immutable byte chunk at a stable heap address. QUIC may reference the
/// bytes until the peer acknowledges them, and one chunk can be queued to many
/// viewers at once without copying. Media chunks are made once, straight from
/// the encoder's mapped buffer, and never copied again before encryption.
///
/// `@unchecked Sendable`: the storage is written only inside an initialiser
/// and never after, so sharing it across threads is safe.
public final class SharedBytes: @unchecked Sendable, RandomAccessCollection {
    private let storage: UnsafeMutableRawPointer
    public let count: Int

    /// `count` bytes written once by `initialize`, which must fill them all.
    public init(count: Int, initializingWith initialize: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        self.count = count
        storage = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(count, 1), alignment: 8)
        do {
            try initialize(UnsafeMutableRawBufferPointer(start: storage, count: count))
        } catch {
            storage.deallocate()
            throw error
        }
    }

    public convenience init(copying bytes: UnsafeRawBufferPointer) {
        self.init(count: bytes.count) { destination in
            if let base = bytes.baseAddress, bytes.count > 0 {
                destination.baseAddress!.copyMemory(from: base, byteCount: bytes.count)
            }
        }
    }

    public convenience init(_ bytes: [UInt8]) {
        self.init(count: bytes.count) { destination in
            _ = destination.initializeMemory(as: UInt8.self, from: bytes)
        }
    }

    /// Where the bytes are; valid as long as this object lives.
    public var baseAddress: UnsafeRawPointer { UnsafeRawPointer(storage) }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: storage, count: count))
    }

    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> UInt8 {
        precondition(position >= 0 && position < count, "SharedBytes index out of range")
        return storage.load(fromByteOffset: position, as: UInt8.self)
    }

    deinit { storage.deallocate() }
}
