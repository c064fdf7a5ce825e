/// Appends a separately made MPEG-TS (the viewer's "the host ended the
/// share" picture) to a stream a player is in the middle of, so the player
/// decodes it as more of the same stream: the card's packets move to the
/// stream's video and audio PIDs, continue each PID's continuity counter,
/// and have their PTS, DTS and PCR shifted to start just after the last
/// picture the player was sent. The card's own PAT, PMT and SI tables are
/// left out: the stream's tables still describe it.
///
/// Pure: no I/O, no clock.
public enum TransportStreamSplice {
    /// Between the stream's last timestamp and the card's first: one frame
    /// at 30 fps (90 kHz ticks), so the card never overlaps the last picture.
    public static let defaultGap: UInt64 = 3000

    /// The card's packets, rewritten to follow `tail`. When nothing of the
    /// program was seen yet (no PMT), the card is returned as it is: a
    /// player that got nothing starts on the card's own tables.
    public static func continuation(of tail: TransportStreamTail, card: [UInt8], gap: UInt64 = defaultGap) -> [UInt8] {
        guard let streamVideo = tail.videoPID, let latest = tail.latestPTS else { return card }
        let layout = CardLayout(card)
        guard let cardVideo = layout.videoPID, let cardStart = layout.earliestTimestamp else { return [] }
        var targets: [UInt16: UInt16] = [cardVideo: streamVideo]
        if let cardAudio = layout.otherPIDs.first, let streamAudio = tail.otherPIDs.first {
            targets[cardAudio] = streamAudio
        }
        let modulus = TransportStreamTail.timestampModulus
        let shift = (latest &+ gap &+ modulus &- cardStart) % modulus
        var continuity = tail.continuity
        var out: [UInt8] = []
        out.reserveCapacity(card.count)
        var packet = [UInt8](repeating: 0, count: TransportStreamScanner.packetLength)
        card.withUnsafeBytes { all in
          for start in layout.packetStarts {
            packet.withUnsafeMutableBytes { copy in
                copy.copyMemory(from: UnsafeRawBufferPointer(rebasing: all[start ..< start + TransportStreamScanner.packetLength]))
            }
            let kept: Bool = packet.withUnsafeMutableBytes { bytes in
                let header = TSPacketLayout(UnsafeRawBufferPointer(bytes))
                guard let target = targets[header.pid] else { return false }
                bytes[1] = (bytes[1] & 0xe0) | UInt8(target >> 8)
                bytes[2] = UInt8(target & 0xff)
                if header.hasPayload {
                    let next = ((continuity[target] ?? 0x0f) &+ 1) & 0x0f
                    continuity[target] = next
                    bytes[3] = (bytes[3] & 0xf0) | next
                }
                if let pcr = header.pcrOffset { shiftPCR(bytes, at: pcr, by: shift) }
                let stamps = header.timestampOffsets(UnsafeRawBufferPointer(bytes))
                for offset in [stamps.pts, stamps.dts].compactMap({ $0 }) {
                    let value = TSTimestamp.read(UnsafeRawBufferPointer(bytes), at: offset)
                    TSTimestamp.write((value &+ shift) % modulus, into: bytes, at: offset)
                }
                return true
            }
            if kept { out += packet }
          }
        }
        return out
    }

    /// PCR: a 33-bit 90 kHz base, 6 reserved bits, a 9-bit 27 MHz extension;
    /// only the base moves.
    private static func shiftPCR(_ bytes: UnsafeMutableRawBufferPointer, at offset: Int, by shift: UInt64) {
        let b = (0 ..< 5).map { UInt64(bytes[offset + $0]) }
        let base = b[0] << 25 | b[1] << 17 | b[2] << 9 | b[3] << 1 | b[4] >> 7
        let moved = (base &+ shift) % TransportStreamTail.timestampModulus
        bytes[offset] = UInt8((moved >> 25) & 0xff)
        bytes[offset + 1] = UInt8((moved >> 17) & 0xff)
        bytes[offset + 2] = UInt8((moved >> 9) & 0xff)
        bytes[offset + 3] = UInt8((moved >> 1) & 0xff)
        bytes[offset + 4] = (bytes[offset + 4] & 0x7f) | UInt8((moved & 1) << 7)
    }

    /// The card's PIDs and first timestamp, read once before rewriting.
    private struct CardLayout {
        var packetStarts: [Int] = []
        var videoPID: UInt16?
        var otherPIDs: [UInt16] = []
        var earliestTimestamp: UInt64?

        init(_ card: [UInt8]) {
            var scanner = TransportStreamScanner()
            var stamps: [UInt64] = []
            card.withUnsafeBytes { all in
                var offset = 0
                while offset + TransportStreamScanner.packetLength <= all.count {
                    guard all[offset] == TransportStreamScanner.syncByte else { offset += 1; continue }
                    let packet = UnsafeRawBufferPointer(rebasing: all[offset ..< offset + TransportStreamScanner.packetLength])
                    _ = scanner.inspect(packet)
                    packetStarts.append(offset)
                    let header = TSPacketLayout(packet)
                    let offsets = header.timestampOffsets(packet)
                    stamps += [offsets.pts, offsets.dts].compactMap { $0 }.map { TSTimestamp.read(packet, at: $0) }
                    offset += TransportStreamScanner.packetLength
                }
            }
            videoPID = scanner.videoPID
            otherPIDs = scanner.elementaryPIDs.filter { $0 != scanner.videoPID }
            // mpegtsmux starts a stream at 3600 s: far from the 26.5 h wrap.
            earliestTimestamp = stamps.min()
        }
    }
}
