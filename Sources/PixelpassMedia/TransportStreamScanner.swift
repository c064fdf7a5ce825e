import PixelpassBytes

/// Walks an MPEG-TS byte stream packet by packet: learns the PMT PID from
/// the PAT and the H.264 video PID from the PMT, keeps the latest PAT and
/// PMT packets, and finds the packets that start a video keyframe.
///
/// Why not buffer flags: with `alignment=7`, mpegtsmux 1.22 hands out
/// 1316-byte buffers with no flags at all, and without alignment it marks
/// nearly every buffer DELTA_UNIT, keyframes included. It does set the
/// adaptation field's random_access_indicator on the first packet of every
/// IDR access unit (and on no other video packet), so that is the primary
/// signal; an SPS or IDR NAL unit in the first packet's PES payload is the
/// fallback for muxers that do not set it.
///
/// Pure value type: no I/O, no clock. PSI tables are read only when a
/// section fits in one packet, which holds for the single-program streams
/// mpegtsmux writes.
public struct TransportStreamScanner: Sendable {
    public static let packetLength = 188
    static let syncByte: UInt8 = 0x47
    static let programAssociationPID: UInt16 = 0x0000
    static let h264StreamType: UInt8 = 0x1b

    /// What one packet turned out to be.
    public enum Packet: Equatable, Sendable {
        case programAssociationTable
        case programMapTable
        /// The first packet of a video access unit that a decoder can start at.
        case videoKeyframeStart
        /// The first packet of any other PES packet (a video frame, an audio frame).
        case elementaryStart
        case other
    }

    public private(set) var programMapPID: UInt16?
    public private(set) var videoPID: UInt16?
    /// The PIDs of the program's streams, video included.
    public private(set) var elementaryPIDs: [UInt16] = []
    /// The latest PAT packet, or empty before the first one.
    public private(set) var latestPAT: [UInt8] = []
    /// The latest PMT packet of the current program, or empty before the first one.
    public private(set) var latestPMT: [UInt8] = []
    /// Bytes after the last whole packet of the previous `split` call.
    private var partialPacket: [UInt8] = []

    public init() {}

    /// PAT then PMT, ready to send ahead of a keyframe; empty until both are known.
    public var programTables: [UInt8] {
        guard !latestPAT.isEmpty, !latestPMT.isEmpty else { return [] }
        return latestPAT + latestPMT
    }

    /// Cuts `bytes` into chunks of whole packets such that every video
    /// keyframe begins a chunk. A trailing partial packet is kept and
    /// completed by the next call; bytes that are not in sync are dropped
    /// until the next sync byte.
    ///
    /// Each chunk's bytes are copied once, from `bytes` (the encoder's
    /// mapped buffer) into its `SharedBytes`. Only when the previous buffer
    /// ended inside a packet (mpegtsmux's `alignment=7` buffers never do)
    /// is the joined buffer copied first.
    public mutating func split(_ bytes: UnsafeRawBufferPointer) -> [MediaChunk] {
        guard !partialPacket.isEmpty else { return splitWhole(bytes) }
        let joined = partialPacket + Array(bytes)
        partialPacket = []
        return joined.withUnsafeBytes { splitWhole($0) }
    }

    public mutating func split(_ bytes: [UInt8]) -> [MediaChunk] {
        bytes.withUnsafeBytes { split($0) }
    }

    /// Where one chunk's packets lie in the buffer being split.
    private struct ChunkLayout {
        var ranges: [Range<Int>] = []
        var isKeyframe = false
        var startsUnit = false
        var programTables: [UInt8] = []
        var count: Int { ranges.reduce(0) { $0 + $1.count } }

        mutating func append(_ packet: Range<Int>) {
            if let last = ranges.last, last.upperBound == packet.lowerBound {
                ranges[ranges.count - 1] = last.lowerBound ..< packet.upperBound
            } else {
                ranges.append(packet)
            }
        }

        func materialize(from data: UnsafeRawBufferPointer) -> MediaChunk {
            let bytes = SharedBytes(count: count) { destination in
                var offset = 0
                for range in ranges {
                    UnsafeMutableRawBufferPointer(rebasing: destination[offset ..< offset + range.count])
                        .copyMemory(from: UnsafeRawBufferPointer(rebasing: data[range]))
                    offset += range.count
                }
            }
            return MediaChunk(bytes: bytes, isKeyframe: isKeyframe, programTables: programTables,
                              startsUnit: isKeyframe || startsUnit)
        }
    }

    private mutating func splitWhole(_ data: UnsafeRawBufferPointer) -> [MediaChunk] {
        var layouts: [ChunkLayout] = []
        var current = ChunkLayout()
        var offset = 0
        while offset < data.count {
            guard data[offset] == Self.syncByte else {
                offset += 1
                continue
            }
            guard data.count - offset >= Self.packetLength else {
                partialPacket = Array(data[offset...])
                break
            }
            let packet = offset ..< offset + Self.packetLength
            switch inspect(UnsafeRawBufferPointer(rebasing: data[packet])) {
            case .videoKeyframeStart:
                if !current.ranges.isEmpty { layouts.append(current) }
                current = ChunkLayout(isKeyframe: true, programTables: programTables)
            case .elementaryStart:
                // A chunk never holds the end of one PES and the start of the
                // next, so a viewer that skips can drop whole frames only.
                if !current.ranges.isEmpty { layouts.append(current) }
                current = ChunkLayout(startsUnit: true)
            case .programAssociationTable, .programMapTable, .other:
                break
            }
            current.append(packet)
            offset += Self.packetLength
        }
        if !current.ranges.isEmpty { layouts.append(current) }
        return layouts.map { $0.materialize(from: data) }
    }

    /// Classifies one whole packet and learns from it. Only packets that
    /// start a table or a video PES are copied, to be parsed.
    public mutating func inspect(_ raw: UnsafeRawBufferPointer) -> Packet {
        guard raw.count == Self.packetLength, raw[0] == Self.syncByte, raw[1] & 0x40 != 0 else { return .other }
        let pid = UInt16(raw[1] & 0x1f) << 8 | UInt16(raw[2])
        guard pid == Self.programAssociationPID || pid == programMapPID || pid == videoPID else {
            return elementaryPIDs.contains(pid) ? .elementaryStart : .other
        }
        return inspect(Array(raw)[...])
    }

    /// Classifies one whole packet and learns from it.
    public mutating func inspect(_ packet: ArraySlice<UInt8>) -> Packet {
        guard let header = PacketHeader(packet) else { return .other }

        if header.pid == Self.programAssociationPID {
            guard header.unitStart,
                  let section = Self.section(in: header.payload, tableID: 0x00),
                  let pmtPID = Self.programMapPID(inPAT: section)
            else { return .other }
            if pmtPID != programMapPID {
                programMapPID = pmtPID
                videoPID = nil
                elementaryPIDs = []
                latestPMT = []
            }
            latestPAT = Array(packet)
            return .programAssociationTable
        }

        if header.pid == programMapPID {
            guard header.unitStart,
                  let section = Self.section(in: header.payload, tableID: 0x02),
                  let map = Self.programMap(inPMT: section)
            else { return .other }
            videoPID = map.videoPID
            elementaryPIDs = map.elementaryPIDs
            latestPMT = Array(packet)
            return .programMapTable
        }

        if header.pid == videoPID, header.unitStart,
           header.randomAccess || Self.startsKeyframe(pes: header.payload) {
            return .videoKeyframeStart
        }
        if header.unitStart, header.pid == videoPID || elementaryPIDs.contains(header.pid) {
            return .elementaryStart
        }
        return .other
    }

    // MARK: - Packet layout (ISO/IEC 13818-1 §2.4.3)

    struct PacketHeader {
        var pid: UInt16
        var unitStart: Bool
        var randomAccess: Bool
        var payload: ArraySlice<UInt8>

        init?(_ packet: ArraySlice<UInt8>) {
            let b = packet.startIndex
            guard packet.count == TransportStreamScanner.packetLength,
                  packet[b] == TransportStreamScanner.syncByte,
                  packet[b + 1] & 0x80 == 0 // transport_error_indicator
            else { return nil }
            unitStart = packet[b + 1] & 0x40 != 0
            pid = UInt16(packet[b + 1] & 0x1f) << 8 | UInt16(packet[b + 2])
            let adaptationFieldControl = (packet[b + 3] >> 4) & 0x3
            var payloadStart = b + 4
            randomAccess = false
            if adaptationFieldControl & 0x2 != 0 {
                let length = Int(packet[b + 4])
                guard length <= 183 else { return nil }
                if length > 0 {
                    randomAccess = packet[b + 5] & 0x40 != 0
                }
                payloadStart = b + 5 + length
            }
            payload = adaptationFieldControl & 0x1 != 0
                ? packet[payloadStart ..< packet.endIndex]
                : packet[packet.endIndex ..< packet.endIndex]
        }
    }

    /// The PSI section that starts in this payload (after pointer_field), if
    /// it has `tableID` and fits entirely in the payload.
    static func section(in payload: ArraySlice<UInt8>, tableID: UInt8) -> ArraySlice<UInt8>? {
        guard let pointer = payload.first else { return nil }
        let start = payload.startIndex + 1 + Int(pointer)
        guard payload.endIndex - start >= 3, payload[start] == tableID else { return nil }
        let sectionLength = Int(payload[start + 1] & 0x0f) << 8 | Int(payload[start + 2])
        let end = start + 3 + sectionLength
        guard sectionLength >= 9, end <= payload.endIndex else { return nil }
        return payload[start ..< end]
    }

    /// The PID of the first program's PMT (program_number 0 is the network PID).
    static func programMapPID(inPAT section: ArraySlice<UInt8>) -> UInt16? {
        let s = section.startIndex
        var entry = s + 8
        let end = section.endIndex - 4 // CRC_32
        while entry + 4 <= end {
            let programNumber = UInt16(section[entry]) << 8 | UInt16(section[entry + 1])
            let pid = UInt16(section[entry + 2] & 0x1f) << 8 | UInt16(section[entry + 3])
            if programNumber != 0 {
                return pid
            }
            entry += 4
        }
        return nil
    }

    /// What a PMT says about the program's streams.
    struct ProgramMap: Equatable {
        /// The first H.264 stream, if any.
        var videoPID: UInt16?
        /// Every stream of the program (video, audio), in PMT order.
        var elementaryPIDs: [UInt16] = []
    }

    /// Reads a PMT section; `nil` when it is malformed.
    static func programMap(inPMT section: ArraySlice<UInt8>) -> ProgramMap? {
        let s = section.startIndex
        guard section.count >= 16 else { return nil }
        let programInfoLength = Int(section[s + 10] & 0x0f) << 8 | Int(section[s + 11])
        var entry = s + 12 + programInfoLength
        let end = section.endIndex - 4 // CRC_32
        guard entry <= end else { return nil }
        var video: UInt16?
        var elementary: [UInt16] = []
        while entry + 5 <= end {
            let streamType = section[entry]
            let pid = UInt16(section[entry + 1] & 0x1f) << 8 | UInt16(section[entry + 2])
            let infoLength = Int(section[entry + 3] & 0x0f) << 8 | Int(section[entry + 4])
            if streamType == h264StreamType, video == nil {
                video = pid
            }
            elementary.append(pid)
            entry += 5 + infoLength
        }
        return ProgramMap(videoPID: video, elementaryPIDs: elementary)
    }

    /// Whether the start of this PES packet holds an SPS (7) or IDR slice (5)
    /// NAL unit. Only the bytes in this one packet are searched; with
    /// `config-interval=-1` the SPS comes first in every IDR access unit.
    static func startsKeyframe(pes payload: ArraySlice<UInt8>) -> Bool {
        let p = payload.startIndex
        guard payload.count >= 9,
              payload[p] == 0, payload[p + 1] == 0, payload[p + 2] == 1
        else { return false }
        var index = p + 9 + Int(payload[p + 8]) // PES_header_data_length
        while index + 3 < payload.endIndex {
            if payload[index] == 0, payload[index + 1] == 0, payload[index + 2] == 1 {
                let nalType = payload[index + 3] & 0x1f
                if nalType == 5 || nalType == 7 {
                    return true
                }
                index += 3
            } else {
                index += 1
            }
        }
        return false
    }
}
