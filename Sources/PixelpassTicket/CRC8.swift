/// CRC-8 with polynomial 0x07 (CRC-8/SMBUS: initial value 0, no reflection,
/// no final XOR).
///
/// It guards the ticket's length field on its own. Without it, a typo in the
/// length would look like a cut-off paste, and the user would be told to copy
/// "the whole line" when the line was whole. It detects every burst up to
/// 8 bits, so every single mistyped character in the header.
enum CRC8 {
    static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt8 where Bytes.Element == UInt8 {
        var crc: UInt8 = 0
        for byte in bytes {
            crc ^= byte
            for _ in 0..<8 {
                crc = (crc & 0x80) != 0 ? (crc << 1) ^ 0x07 : crc << 1
            }
        }
        return crc
    }
}
