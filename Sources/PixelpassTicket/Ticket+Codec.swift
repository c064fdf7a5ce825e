/// Ticket <-> one line of text. Layers, outside in: `TicketText` (prefix,
/// version, base32), `TicketRecord` (length, checksums), and here the fields.
extension Ticket {
    /// The one-line ticket, e.g. "pixelpass1-…": lowercase, letters and
    /// digits 2-7 only after the prefix.
    ///
    /// Traps on a ticket no reader would accept (wrong fingerprint or secret
    /// size, no address, bad host bytes): that is a bug in the caller, and
    /// handing it to a friend would only fail later and less clearly.
    public func encoded() -> String {
        precondition(fingerprint.count == Self.fingerprintLength,
                     "ticket fingerprint has \(fingerprint.count) bytes; expected \(Self.fingerprintLength)")
        precondition(Self.secretLengths.contains(secret.count),
                     "ticket secret has \(secret.count) bytes; expected \(Self.secretLengths)")
        precondition(!addresses.isEmpty, "a ticket needs at least one address")

        var fields: [UInt8] = []
        Self.append(.fingerprint, fingerprint, to: &fields)
        Self.append(.secret, secret, to: &fields)
        // Consecutive addresses of one family share a field; a new field
        // starts where the family changes, which keeps the order.
        Self.appendRuns(addresses, reflexive: false, to: &fields)
        if let relay { Self.append(.relay, relay, to: &fields) }
        Self.appendRuns(reflexive, reflexive: true, to: &fields)

        return TicketText.prefix(version: Self.version) + Base32.encode(TicketRecord.frame(fields: fields))
    }

    /// Reads a pasted ticket. Surrounding and embedded whitespace and upper
    /// case are tolerated; anything else wrong throws a `TicketError` whose
    /// description tells the user what to do.
    public static func parse(_ text: String) throws -> Ticket {
        let digits = try TicketText.digits(of: text)
        let fields = try TicketRecord.unframe(Base32.decode(digits: digits), digitCount: digits.count)
        return try Ticket(fields: fields)
    }

    private static func appendRuns(_ list: [TicketAddress], reflexive: Bool, to fields: inout [UInt8]) {
        var run: (field: TicketField, value: [UInt8])?
        for address in list {
            var (field, value) = Self.wireForm(of: address)
            if reflexive { field = field == .ipv4Addresses ? .ipv4Reflexive : .ipv6Reflexive }
            if let current = run, current.field == field {
                run = (field, current.value + value)
            } else {
                if let current = run { Self.append(current.field, current.value, to: &fields) }
                run = (field, value)
            }
        }
        if let current = run { Self.append(current.field, current.value, to: &fields) }
    }

    private static func append(_ field: TicketField, _ value: [UInt8], to fields: inout [UInt8]) {
        fields.append(field.rawValue)
        Varint.append(UInt64(value.count), to: &fields)
        fields += value
    }

    private static func wireForm(of address: TicketAddress) -> (TicketField, [UInt8]) {
        let port = [UInt8(address.port >> 8), UInt8(address.port & 0xFF)]
        switch address.host {
        case .ipv4(let bytes):
            precondition(bytes.count == 4, "IPv4 host has \(bytes.count) bytes; expected 4")
            return (.ipv4Addresses, bytes + port)
        case .ipv6(let bytes):
            precondition(bytes.count == 16, "IPv6 host has \(bytes.count) bytes; expected 16")
            return (.ipv6Addresses, bytes + port)
        }
    }

    /// Decodes the fields of a record whose checksums already matched, so
    /// every error here means the writer broke the format.
    private init(fields: ArraySlice<UInt8>) throws {
        var reader = ByteReader(fields)
        var fingerprint: [UInt8]?
        var secret: [UInt8]?
        var addresses: [TicketAddress] = []
        var reflexive: [TicketAddress] = []
        var relay: [UInt8]?

        while let type = reader.readByte() {
            let field = TicketField(rawValue: type)
            let name = field?.name ?? "field \(type)"
            guard let length = reader.readVarint(), length <= UInt64(reader.remaining),
                  let value = reader.readBytes(Int(length)) else {
                throw TicketError.malformed("\(name) length runs past the end")
            }
            // Unknown types are fields from a later release that this one
            // can do without.
            guard let field else { continue }
            switch field {
            case .fingerprint:
                guard fingerprint == nil else { throw TicketError.malformed("fingerprint appears twice") }
                guard value.count == Self.fingerprintLength else {
                    throw TicketError.malformed("fingerprint has \(Self.bytes(value.count)); expected \(Self.fingerprintLength)")
                }
                fingerprint = Array(value)
            case .secret:
                guard secret == nil else { throw TicketError.malformed("secret appears twice") }
                guard Self.secretLengths.contains(value.count) else {
                    throw TicketError.malformed("secret has \(Self.bytes(value.count)); expected \(Self.secretLengths.lowerBound) to \(Self.secretLengths.upperBound)")
                }
                secret = Array(value)
            case .ipv4Addresses:
                addresses += try Self.addressList(value, field: field, hostLength: 4) { .ipv4($0) }
            case .ipv6Addresses:
                addresses += try Self.addressList(value, field: field, hostLength: 16) { .ipv6($0) }
            case .ipv4Reflexive:
                reflexive += try Self.addressList(value, field: field, hostLength: 4) { .ipv4($0) }
            case .ipv6Reflexive:
                reflexive += try Self.addressList(value, field: field, hostLength: 16) { .ipv6($0) }
            case .relay:
                guard relay == nil else { throw TicketError.malformed("relay appears twice") }
                _ = try TicketRelay(decoding: Array(value))
                relay = Array(value)
            }
        }

        guard let fingerprint else { throw TicketError.malformed("no fingerprint") }
        guard let secret else { throw TicketError.malformed("no secret") }
        guard !addresses.isEmpty else { throw TicketError.malformed("no address") }
        self.init(fingerprint: fingerprint, secret: secret, addresses: addresses, relay: relay, reflexive: reflexive)
    }

    private static func addressList(
        _ value: ArraySlice<UInt8>, field: TicketField, hostLength: Int,
        host: ([UInt8]) -> TicketAddress.Host
    ) throws -> [TicketAddress] {
        let entryLength = hostLength + 2
        guard !value.isEmpty, value.count % entryLength == 0 else {
            throw TicketError.malformed("\(field.name) has \(bytes(value.count)); expected \(entryLength) per address")
        }
        return stride(from: value.startIndex, to: value.endIndex, by: entryLength).map { start in
            let port = UInt16(value[start + hostLength]) << 8 | UInt16(value[start + hostLength + 1])
            return TicketAddress(host: host(Array(value[start..<(start + hostLength)])), port: port)
        }
    }

    private static func bytes(_ count: Int) -> String {
        count == 1 ? "1 byte" : "\(count) bytes"
    }
}
