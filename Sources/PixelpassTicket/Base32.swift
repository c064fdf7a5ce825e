/// RFC 4648 base32, lowercase, without padding.
///
/// Base32 rather than base64 because a ticket must survive chat clients
/// (no `+`, `/` or `=` to be mangled into links or markdown) and people
/// reading it aloud (no case to get wrong).
enum Base32 {
    static let alphabet: [UInt8] = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    /// Number of characters `encode` produces for `byteCount` bytes.
    static func encodedLength(byteCount: Int) -> Int {
        (byteCount * 8 + 4) / 5
    }

    static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            // Only the low `bits` bits matter; the shift drops the rest.
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                out.append(alphabet[Int((buffer >> UInt32(bits)) & 31)])
            }
        }
        if bits > 0 {
            out.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The 5-bit value of a base32 character; upper case is accepted because
    /// people retype tickets and some chat clients change case.
    static func digit(for scalar: Unicode.Scalar) -> UInt8? {
        switch scalar.value {
        case 0x61...0x7A: return UInt8(scalar.value - 0x61)        // a-z
        case 0x41...0x5A: return UInt8(scalar.value - 0x41)        // A-Z
        case 0x32...0x37: return UInt8(scalar.value - 0x32 + 26)   // 2-7
        default: return nil
        }
    }

    struct Decoded: Equatable {
        /// Every whole byte the digits hold.
        var bytes: [UInt8]
        /// False when the bits after the last whole byte are not zero. An
        /// encoder always writes zeros there, so a complete text with other
        /// bits is a typo that would otherwise go unnoticed.
        var leftoverBitsAreZero: Bool
    }

    /// Decodes 5-bit digits leniently: a cut-off text still yields the bytes
    /// it holds, so the caller can say how much is missing.
    static func decode<Digits: Sequence>(digits: Digits) -> Decoded where Digits.Element == UInt8 {
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for digit in digits {
            buffer = (buffer << 5) | UInt32(digit & 31)
            bits += 5
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        let leftover = buffer & ((1 << UInt32(bits)) - 1)
        return Decoded(bytes: out, leftoverBitsAreZero: leftover == 0)
    }

    /// Strict decoding of a whole unpadded base32 text: nil for a character
    /// outside the alphabet, a length no encoder produces, or stray bits.
    static func decode(_ text: String) -> [UInt8]? {
        var digits: [UInt8] = []
        for scalar in text.unicodeScalars {
            guard let digit = digit(for: scalar) else { return nil }
            digits.append(digit)
        }
        let decoded = decode(digits: digits)
        guard encodedLength(byteCount: decoded.bytes.count) == digits.count,
              decoded.leftoverBitsAreZero else { return nil }
        return decoded.bytes
    }
}
