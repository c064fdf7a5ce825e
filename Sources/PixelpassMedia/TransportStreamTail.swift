/// What a player has been sent of an MPEG-TS stream so far, as far as a
/// continuation must respect it: the program's PIDs, each PID's last
/// continuity counter, and the latest presentation time. The viewer's relay
/// feeds it every byte it passes on, so a picture appended after the host
/// ends (`TransportStreamSplice`) plays on from where the player was.
///
/// Pure value type; packets are read in place, nothing is copied except a
/// packet cut across two `observe` calls.
public struct TransportStreamTail: Sendable {
    /// The 90 kHz clock of PTS/DTS wraps at 2^33.
    public static let timestampModulus: UInt64 = 1 << 33

    private var scanner = TransportStreamScanner()
    /// Bytes of a packet cut by the end of the previous `observe`.
    private var partial: [UInt8] = []
    /// The last continuity counter sent on each PID (payload-carrying packets).
    public private(set) var continuity: [UInt16: UInt8] = [:]
    /// The latest PTS seen on any elementary stream (90 kHz), nil before one.
    public private(set) var latestPTS: UInt64?

    public init() {}

    public var programMapPID: UInt16? { scanner.programMapPID }
    public var videoPID: UInt16? { scanner.videoPID }
    /// The program's streams other than video (audio, in our streams).
    public var otherPIDs: [UInt16] { scanner.elementaryPIDs.filter { $0 != scanner.videoPID } }

    public mutating func observe(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        if !partial.isEmpty {
            let needed = TransportStreamScanner.packetLength - partial.count
            let take = min(needed, bytes.count)
            partial += bytes[0 ..< take]
            offset = take
            guard partial.count == TransportStreamScanner.packetLength else { return }
            let packet = partial
            partial = []
            packet.withUnsafeBytes { observePacket($0) }
        }
        while offset < bytes.count {
            guard bytes[offset] == TransportStreamScanner.syncByte else {
                offset += 1
                continue
            }
            guard bytes.count - offset >= TransportStreamScanner.packetLength else {
                partial = Array(bytes[offset...])
                return
            }
            observePacket(UnsafeRawBufferPointer(rebasing: bytes[offset ..< offset + TransportStreamScanner.packetLength]))
            offset += TransportStreamScanner.packetLength
        }
    }

    public mutating func observe(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { observe($0) }
    }

    private mutating func observePacket(_ packet: UnsafeRawBufferPointer) {
        let kind = scanner.inspect(packet)
        let header = TSPacketLayout(packet)
        if header.hasPayload { continuity[header.pid] = header.continuity }
        switch kind {
        case .videoKeyframeStart, .elementaryStart:
            if let pts = header.presentationTime(packet) { advance(to: pts) }
        case .programAssociationTable, .programMapTable, .other:
            break
        }
    }

    private mutating func advance(to pts: UInt64) {
        guard let latest = latestPTS else { latestPTS = pts; return }
        // Later when less than half the clock's range ahead (handles the wrap).
        let ahead = (pts &+ Self.timestampModulus &- latest) % Self.timestampModulus
        if ahead != 0, ahead < Self.timestampModulus / 2 { latestPTS = pts }
    }
}

/// Where the fields of one 188-byte packet are (ISO/IEC 13818-1 §2.4.3.2,
/// §2.4.3.4, §2.4.3.7 for the PES header), shared by the tail and the splice.
struct TSPacketLayout {
    var pid: UInt16
    var unitStart: Bool
    var hasPayload: Bool
    var continuity: UInt8
    /// Offset of the PCR's first byte, when the adaptation field has one.
    var pcrOffset: Int?
    /// Offset of the payload (188 when there is none).
    var payloadOffset: Int

    init(_ packet: UnsafeRawBufferPointer) {
        unitStart = packet[1] & 0x40 != 0
        pid = UInt16(packet[1] & 0x1f) << 8 | UInt16(packet[2])
        let control = (packet[3] >> 4) & 0x3
        hasPayload = control & 0x1 != 0
        continuity = packet[3] & 0x0f
        payloadOffset = 4
        pcrOffset = nil
        if control & 0x2 != 0 {
            let length = min(Int(packet[4]), 183)
            if length >= 7, packet[5] & 0x10 != 0 { pcrOffset = 6 }
            payloadOffset = 5 + length
        }
        if !hasPayload { payloadOffset = packet.count }
    }

    /// Offsets of the PES header's PTS and DTS, when this packet starts a
    /// PES packet that carries them.
    func timestampOffsets(_ packet: UnsafeRawBufferPointer) -> (pts: Int?, dts: Int?) {
        let p = payloadOffset
        guard unitStart, hasPayload, packet.count - p >= 14,
              packet[p] == 0, packet[p + 1] == 0, packet[p + 2] == 1
        else { return (nil, nil) }
        let flags = packet[p + 7] >> 6
        let pts = flags & 0x2 != 0 ? p + 9 : nil
        let dts = flags == 0x3 && packet.count - p >= 19 ? p + 14 : nil
        return (pts, dts)
    }

    func presentationTime(_ packet: UnsafeRawBufferPointer) -> UInt64? {
        timestampOffsets(packet).pts.map { TSTimestamp.read(packet, at: $0) }
    }
}

/// The 5-byte PTS/DTS encoding: 33 bits split 3/15/15 around marker bits.
enum TSTimestamp {
    static func read(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt64 {
        let b = (0 ..< 5).map { UInt64(bytes[offset + $0]) }
        return (b[0] >> 1 & 0x07) << 30 | b[1] << 22 | (b[2] >> 1) << 15 | b[3] << 7 | b[4] >> 1
    }

    /// Writes `value` keeping the 4-bit prefix already there.
    static func write(_ value: UInt64, into bytes: UnsafeMutableRawBufferPointer, at offset: Int) {
        let v = value % TransportStreamTail.timestampModulus
        bytes[offset] = (bytes[offset] & 0xf0) | UInt8((v >> 29) & 0x0e) | 1
        bytes[offset + 1] = UInt8((v >> 22) & 0xff)
        bytes[offset + 2] = UInt8((v >> 14) & 0xfe) | 1
        bytes[offset + 3] = UInt8((v >> 7) & 0xff)
        bytes[offset + 4] = UInt8((v << 1) & 0xfe) | 1
    }
}
