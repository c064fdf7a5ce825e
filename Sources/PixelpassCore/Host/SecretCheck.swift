import PixelpassTicket
import PixelpassTransport

/// Whether a request carries the ticket's secret (header or query).
struct SecretCheck {
    let secretHex: String

    func authorises(_ request: HTTP3RequestHead) -> Bool {
        let offered = request.header(StreamAPI.secretHeader)
            ?? request.queryItems.first { $0.name == StreamAPI.secretQueryName }?.value
        guard let offered else { return false }
        return constantTimeEquals(Array(offered.lowercased().utf8), Array(secretHex.utf8))
    }

    /// Compares without an early exit, so timing does not reveal a prefix.
    private func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<a.count { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
