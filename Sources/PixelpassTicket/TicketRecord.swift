/// The binary record a ticket's base32 text holds:
///
///     offset  size  content
///     0       2     record length in bytes, big-endian, counting everything
///                   (these 3 header bytes and the 4-byte CRC-32 included)
///     2       1     CRC-8 (polynomial 0x07) of the 2 length bytes
///     3       n     fields: type (1 byte), length (QUIC varint), value
///     3+n     4     CRC-32 (IEEE), big-endian, of every byte before it
///
/// The length tells a paste that was cut short ("got 40 of 79 bytes") from one
/// with a typo; the CRC-8 makes sure a typo in the length itself is reported
/// as a typo, not as a cut.
enum TicketRecord {
    static let headerLength = 3
    static let checksumLength = 4
    static let maximumLength = 0xFFFF

    /// The smallest valid ticket: fingerprint, a 16-byte secret and one IPv4
    /// address. Reported as the expected size when the text is too short to
    /// hold even the length.
    static let minimumTicketLength = headerLength
        + (2 + Ticket.fingerprintLength) + (2 + Ticket.secretLengths.lowerBound) + (2 + 6)
        + checksumLength

    static func frame(fields: [UInt8]) -> [UInt8] {
        let length = headerLength + fields.count + checksumLength
        precondition(length <= maximumLength, "ticket record of \(length) bytes exceeds \(maximumLength)")
        var record = [UInt8(length >> 8), UInt8(length & 0xFF)]
        record.append(CRC8.checksum(record))
        record += fields
        let crc = CRC32.checksum(record)
        record += [UInt8(crc >> 24), UInt8((crc >> 16) & 0xFF), UInt8((crc >> 8) & 0xFF), UInt8(crc & 0xFF)]
        return record
    }

    /// Checks the framing of a decoded ticket text and returns its fields.
    /// The order of checks matters: length before CRC, so a cut paste is
    /// reported as truncated rather than as a checksum mismatch.
    static func unframe(_ decoded: Base32.Decoded, digitCount: Int) throws -> ArraySlice<UInt8> {
        let bytes = decoded.bytes
        guard bytes.count >= headerLength else {
            throw TicketError.truncated(got: bytes.count, expected: minimumTicketLength)
        }
        guard CRC8.checksum(bytes[0..<2]) == bytes[2] else {
            throw TicketError.checksumMismatch
        }
        let length = Int(bytes[0]) << 8 | Int(bytes[1])
        guard length >= headerLength + checksumLength else {
            throw TicketError.malformed("the record length \(length) is too small to hold its header and checksum")
        }
        guard bytes.count >= length else {
            throw TicketError.truncated(got: bytes.count, expected: length)
        }
        let extra = digitCount - Base32.encodedLength(byteCount: length)
        guard extra <= 0 else {
            let characters = extra == 1 ? "1 extra character follows" : "\(extra) extra characters follow"
            throw TicketError.malformed("\(characters) the end of the ticket")
        }
        // Only a complete text gets here, so stray bits are a typo.
        guard decoded.leftoverBitsAreZero else {
            throw TicketError.checksumMismatch
        }
        let body = length - checksumLength
        let stored = bytes[body..<length].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard CRC32.checksum(bytes[0..<body]) == stored else {
            throw TicketError.checksumMismatch
        }
        return bytes[headerLength..<body]
    }
}
