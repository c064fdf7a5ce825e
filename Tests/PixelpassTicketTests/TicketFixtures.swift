@testable import PixelpassTicket

/// Sample tickets and a builder for hand-made records, so tests can produce
/// inputs `Ticket.encoded()` never would (missing, repeated, oversized and
/// unknown fields) with valid checksums.
enum TicketFixtures {
    static let fingerprint: [UInt8] = (0..<32).map { UInt8($0) }
    static let secret: [UInt8] = (0..<16).map { UInt8(0xA0 + $0) }

    static let lan = TicketAddress(host: .ipv4([192, 168, 1, 20]), port: 41641)
    static let reflexive = TicketAddress(host: .ipv4([203, 0, 113, 7]), port: 50000)
    static let mapped = TicketAddress(host: .ipv4([198, 51, 100, 9]), port: 1)
    static let ipv6 = TicketAddress(
        host: .ipv6([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]), port: 41641)

    /// The usual ticket: three IPv4 candidates, smallest secret.
    static let typical = Ticket(fingerprint: fingerprint, secret: secret, addresses: [lan, reflexive, mapped])

    /// Every field type in use, so damage tests cover all of them.
    static let full = Ticket(
        fingerprint: fingerprint, secret: secret,
        addresses: [lan, ipv6, reflexive], relay: relay.encoded(), reflexive: [mapped])

    static let relay = TicketRelay(server: TicketAddress("198.51.100.1:3478")!, relayed: TicketAddress("198.51.100.1:49160")!,
                                   username: "1795340000:pixelpass", password: "c2VjcmV0cGFzc3dvcmQ=")

    static let prefix = "pixelpass1-"

    /// One TLV field.
    static func field(_ type: UInt8, _ value: [UInt8]) -> [UInt8] {
        var bytes = [type]
        Varint.append(UInt64(value.count), to: &bytes)
        return bytes + value
    }

    static func fingerprintField(_ value: [UInt8] = fingerprint) -> [UInt8] { field(1, value) }
    static func secretField(_ value: [UInt8] = secret) -> [UInt8] { field(2, value) }
    static func ipv4Field(_ value: [UInt8] = [10, 0, 0, 1, 0x1F, 0x90]) -> [UInt8] { field(3, value) }
    static func relayField(_ value: [UInt8]) -> [UInt8] { field(4, value) }
    static func ipv6Field(_ value: [UInt8]) -> [UInt8] { field(5, value) }

    /// A complete ticket text around the given fields, built independently of
    /// `TicketRecord.frame` from the documented layout; `length` overrides the
    /// header's length (its CRC-8 is still made to match).
    static func text(fields: [UInt8], length: Int? = nil) -> String {
        prefix + Base32.encode(record(fields: fields, length: length))
    }

    static func record(fields: [UInt8], length: Int? = nil) -> [UInt8] {
        let total = length ?? (3 + fields.count + 4)
        var bytes = [UInt8(total >> 8), UInt8(total & 0xFF)]
        bytes.append(CRC8.checksum(bytes))
        bytes += fields
        let crc = CRC32.checksum(bytes)
        return bytes + [UInt8(crc >> 24), UInt8((crc >> 16) & 0xFF), UInt8((crc >> 8) & 0xFF), UInt8(crc & 0xFF)]
    }
}

/// The error `body` throws, or nil if it returns.
func ticketError(_ body: () throws -> Ticket) -> TicketError? {
    do {
        _ = try body()
        return nil
    } catch let error as TicketError {
        return error
    } catch {
        return .malformed("unexpected error type \(error)")
    }
}
