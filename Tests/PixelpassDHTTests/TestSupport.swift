import PixelpassNAT

/// Bytes from hex as specifications print it (spaces and line breaks ignored).
func hexBytes(_ text: String) -> [UInt8] {
    let digits = Array(text.filter(\.isHexDigit))
    precondition(digits.count % 2 == 0, "odd number of hex digits")
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
}

func address(_ text: String) -> NATAddress {
    guard let address = NATAddress(text) else { preconditionFailure("bad test address \(text)") }
    return address
}

func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }

/// A deterministic generator (SplitMix64) so failures reproduce.
struct SeededGenerator: RandomNumberGenerator, Sendable {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

let ms: UInt64 = 1_000_000
let sec: UInt64 = 1_000_000_000
