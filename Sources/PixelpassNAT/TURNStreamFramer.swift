/// Cuts the byte stream from a TURN server over TCP or TLS (RFC 8656 §3.1)
/// back into whole messages. Two kinds share the stream: STUN messages
/// (first two bits 00; a 20-byte header whose length field counts the
/// attributes, a multiple of 4) and ChannelData (first byte 0x40–0x4F; a
/// 4-byte header, the payload, then padding to a multiple of 4, §12.5).
/// Anything else means we lost our place in the stream: the connection is
/// beyond repair, so the framer says so once and stays failed.
///
/// Bytes in (`append`), messages out (`next`): ChannelData comes out
/// without its padding, ready for `TURNClient.received`.
public struct TURNStreamFramer: Sendable {
    public enum FramingError: Error, Hashable, Sendable, CustomStringConvertible {
        /// The first byte of a message is neither STUN nor ChannelData.
        case garbage(firstByte: UInt8)
        /// A STUN length field that is not a multiple of 4.
        case badSTUNLength(Int)
        /// A message longer than `maximumMessageSize`.
        case oversize(length: Int, limit: Int)

        public var description: String {
            switch self {
            case .garbage(let byte):
                return "the TURN server sent something that is neither STUN nor ChannelData (first byte 0x\(String(byte, radix: 16)))"
            case .badSTUNLength(let length):
                return "the TURN server sent a STUN message whose length \(length) is not a multiple of 4"
            case .oversize(let length, let limit):
                return "the TURN server sent a \(length)-byte message (at most \(limit) allowed)"
            }
        }
    }

    /// Longest message accepted, header and padding included. The length
    /// fields allow 65 535 + 20 for STUN; QUIC never needs more than ~1.5 kB.
    public let maximumMessageSize: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var failure: FramingError?

    public static let defaultMaximumMessageSize = 65_535 + 20

    public init(maximumMessageSize: Int = TURNStreamFramer.defaultMaximumMessageSize) {
        self.maximumMessageSize = maximumMessageSize
    }

    /// Bytes buffered but not yet part of a whole message.
    public var bufferedCount: Int { buffer.count - start }

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        guard failure == nil else { return }
        if start > 0, start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next whole message, nil until more bytes arrive; throws (now and
    /// on every later call) once the stream is not TURN framing.
    public mutating func next() throws(FramingError) -> [UInt8]? {
        if let failure { throw failure }
        let available = buffer.count - start
        guard available >= 4 else { return nil }
        let first = buffer[start]
        let length = Int(buffer[start + 2]) << 8 | Int(buffer[start + 3])
        let total: Int
        let message: Int
        if first & 0xC0 == 0 {
            guard length % 4 == 0 else { throw fail(.badSTUNLength(length)) }
            total = STUNMessage.headerLength + length
            message = total
        } else if first & 0xF0 == 0x40 {
            message = 4 + length
            total = message + (4 - length % 4) % 4
        } else {
            throw fail(.garbage(firstByte: first))
        }
        guard total <= maximumMessageSize else { throw fail(.oversize(length: total, limit: maximumMessageSize)) }
        guard available >= total else { return nil }
        let bytes = Array(buffer[start..<(start + message)])
        start += total
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        return bytes
    }

    /// Remembers the failure (the stream is lost) and returns it to throw.
    private mutating func fail(_ error: FramingError) -> FramingError {
        failure = error
        buffer = []
        start = 0
        return error
    }

    /// `message` as it must go onto the stream: ChannelData padded to a
    /// multiple of 4 (§12.5); STUN messages are already aligned.
    public static func streamEncoding(of message: [UInt8]) -> [UInt8] {
        guard let first = message.first, first & 0xF0 == 0x40, message.count % 4 != 0 else { return message }
        return message + [UInt8](repeating: 0, count: 4 - message.count % 4)
    }
}
