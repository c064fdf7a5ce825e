/// Builds synthetic MPEG-TS packets for scanner tests.
enum TransportStreamFixture {
    static let pmtPID: UInt16 = 0x1000
    static let videoPID: UInt16 = 0x0100
    static let audioPID: UInt16 = 0x0101

    /// One 188-byte packet. PSI payloads are padded with 0xFF; other short
    /// payloads (and any packet with `randomAccess`) get an adaptation field.
    static func packet(pid: UInt16, unitStart: Bool, payload: [UInt8], randomAccess: Bool = false,
                       psi: Bool = false, continuity: UInt8 = 0) -> [UInt8] {
        precondition(payload.count <= 184)
        var bytes: [UInt8] = [0x47, (unitStart ? 0x40 : 0) | UInt8(pid >> 8 & 0x1f), UInt8(pid & 0xff)]
        let needsAdaptation = randomAccess || (!psi && payload.count < 184)
        if needsAdaptation {
            let adaptationLength = 183 - payload.count
            precondition(adaptationLength >= (randomAccess ? 1 : 0))
            bytes.append(0x30 | (continuity & 0x0f))
            bytes.append(UInt8(adaptationLength))
            if adaptationLength > 0 {
                bytes.append(randomAccess ? 0x40 : 0x00)
                bytes += [UInt8](repeating: 0xff, count: adaptationLength - 1)
            }
            bytes += payload
        } else {
            bytes.append(0x10 | (continuity & 0x0f))
            bytes += payload
            bytes += [UInt8](repeating: 0xff, count: 184 - payload.count)
        }
        precondition(bytes.count == 188)
        return bytes
    }

    static func pat(pmtPID: UInt16 = pmtPID) -> [UInt8] {
        var section: [UInt8] = [0x00, 0, 0, 0x00, 0x01, 0xc1, 0x00, 0x00]
        section += [0x00, 0x01, 0xe0 | UInt8(pmtPID >> 8), UInt8(pmtPID & 0xff)]
        return packet(pid: 0, unitStart: true, payload: [0x00] + finish(section), psi: true)
    }

    static func pmt(pmtPID: UInt16 = pmtPID, streams: [(type: UInt8, pid: UInt16)] = [(0x1b, videoPID), (0x0f, audioPID)]) -> [UInt8] {
        var section: [UInt8] = [0x02, 0, 0, 0x00, 0x01, 0xc1, 0x00, 0x00]
        section += [0xe0 | UInt8(videoPID >> 8), UInt8(videoPID & 0xff), 0xf0, 0x00]
        for stream in streams {
            section += [stream.type, 0xe0 | UInt8(stream.pid >> 8), UInt8(stream.pid & 0xff), 0xf0, 0x00]
        }
        return packet(pid: pmtPID, unitStart: true, payload: [0x00] + finish(section), psi: true)
    }

    /// The first packet of a video PES whose elementary stream holds the
    /// given NAL unit types (each a 4-byte start code, header and two bytes).
    static func videoStart(nalTypes: [UInt8], randomAccess: Bool = false) -> [UInt8] {
        var pes: [UInt8] = [0x00, 0x00, 0x01, 0xe0, 0x00, 0x00, 0x80, 0x80, 0x05, 0x21, 0x00, 0x01, 0x00, 0x01]
        for type in nalTypes {
            pes += [0x00, 0x00, 0x00, 0x01, 0x60 | type, 0xaa, 0xbb]
        }
        return packet(pid: videoPID, unitStart: true, payload: pes, randomAccess: randomAccess)
    }

    static func videoContinuation(fill: UInt8 = 0x11) -> [UInt8] {
        packet(pid: videoPID, unitStart: false, payload: [UInt8](repeating: fill, count: 184))
    }

    static func audioStart(randomAccess: Bool = true) -> [UInt8] {
        let pes: [UInt8] = [0x00, 0x00, 0x01, 0xc0, 0x00, 0x10, 0x80, 0x80, 0x05, 0x21, 0x00, 0x01, 0x00, 0x01, 0xff, 0xf1]
        return packet(pid: audioPID, unitStart: true, payload: pes, randomAccess: randomAccess)
    }

    /// Fills in section_length and appends the CRC-32/MPEG-2.
    private static func finish(_ section: [UInt8]) -> [UInt8] {
        var section = section
        let length = section.count - 3 + 4
        section[1] = 0xb0 | UInt8(length >> 8)
        section[2] = UInt8(length & 0xff)
        let crc = crc32mpeg2(section)
        return section + [UInt8(crc >> 24), UInt8(crc >> 16 & 0xff), UInt8(crc >> 8 & 0xff), UInt8(crc & 0xff)]
    }

    private static func crc32mpeg2(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        for byte in bytes {
            crc ^= UInt32(byte) << 24
            for _ in 0 ..< 8 {
                crc = crc & 0x8000_0000 != 0 ? (crc << 1) ^ 0x04c1_1db7 : crc << 1
            }
        }
        return crc
    }
}
