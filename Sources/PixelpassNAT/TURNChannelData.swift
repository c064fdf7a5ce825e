/// ChannelData framing (RFC 8656 §12.4): channel number (0x4000–0x4FFF),
/// payload length, payload. Over UDP padding to 4 bytes is optional; we send
/// none and accept it.
public struct TURNChannelData: Hashable, Sendable {
    public static let channelRange: ClosedRange<UInt16> = 0x4000...0x4FFF

    public var channel: UInt16
    public var payload: [UInt8]

    public init(channel: UInt16, payload: [UInt8]) {
        precondition(TURNChannelData.channelRange.contains(channel), "channel \(hex(channel)) outside 0x4000–0x4FFF")
        precondition(payload.count <= 0xFFFF, "ChannelData payload of \(payload.count) bytes exceeds 65535")
        self.channel = channel
        self.payload = payload
    }

    public enum DecodingError: Error, Hashable, Sendable, CustomStringConvertible {
        case truncated(needed: Int, available: Int)
        case notChannelData

        public var description: String {
            switch self {
            case .truncated(let needed, let available):
                return "ChannelData truncated: needs \(needed) bytes, has \(available)"
            case .notChannelData:
                return "not ChannelData (first byte outside 0x40–0x4f)"
            }
        }
    }

    /// First byte 0x40–0x4F. QUIC short headers also start 0x40–0x7F, so use
    /// this only on datagrams from the TURN server.
    public static func isProbablyChannelData(_ bytes: some Collection<UInt8>) -> Bool {
        guard bytes.count >= 4, let first = bytes.first else { return false }
        return first & 0xF0 == 0x40
    }

    public func encode(padded: Bool = false) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4 + payload.count + 3)
        bytes.appendBigEndian(UInt64(channel), count: 2)
        bytes.appendBigEndian(UInt64(payload.count), count: 2)
        bytes += payload
        if padded { bytes += [UInt8](repeating: 0, count: (4 - payload.count % 4) % 4) }
        return bytes
    }

    public static func decode(_ datagram: [UInt8]) throws(DecodingError) -> TURNChannelData {
        guard datagram.count >= 4 else { throw .truncated(needed: 4, available: datagram.count) }
        let channel = UInt16(datagram.bigEndian(at: 0, count: 2))
        guard channelRange.contains(channel) else { throw .notChannelData }
        let length = Int(datagram.bigEndian(at: 2, count: 2))
        guard datagram.count >= 4 + length else { throw .truncated(needed: 4 + length, available: datagram.count) }
        return TURNChannelData(channel: channel, payload: Array(datagram[4..<(4 + length)]))
    }
}
