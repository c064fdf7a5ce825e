/// NAT-PMP (RFC 6886) on the wire: version 0, requests to the gateway's UDP
/// port 5351, every field big-endian.
public enum NATPMP {
    public static let port: UInt16 = 5351
    public static let version: UInt8 = 0

    public enum Opcode: UInt8, Hashable, Sendable {
        case externalAddress = 0
        case mapUDP = 1
        case mapTCP = 2
    }

    /// §3.5 result codes.
    public enum ResultCode: Hashable, Sendable, CustomStringConvertible {
        case success
        case unsupportedVersion
        /// "Not Authorized/Refused": mapping is turned off on the gateway.
        case notAuthorized
        /// The gateway has no external address (e.g. no DHCP lease upstream).
        case networkFailure
        case outOfResources
        case unsupportedOpcode
        case other(UInt16)

        public init(_ raw: UInt16) {
            switch raw {
            case 0: self = .success
            case 1: self = .unsupportedVersion
            case 2: self = .notAuthorized
            case 3: self = .networkFailure
            case 4: self = .outOfResources
            case 5: self = .unsupportedOpcode
            default: self = .other(raw)
            }
        }

        public var description: String {
            switch self {
            case .success: return "success"
            case .unsupportedVersion: return "unsupported version (1)"
            case .notAuthorized: return "not authorized or refused (2): port mapping is off on the router"
            case .networkFailure: return "network failure (3): the router has no external address"
            case .outOfResources: return "out of resources (4)"
            case .unsupportedOpcode: return "unsupported opcode (5)"
            case .other(let raw): return "result code \(raw)"
            }
        }
    }

    /// §3.2: two bytes, version and opcode 0.
    public static func externalAddressRequest() -> [UInt8] { [version, Opcode.externalAddress.rawValue] }

    /// §3.3: map `internalPort` for `lifetime` seconds; lifetime 0 deletes
    /// the mapping (and then the suggested port must be 0).
    public static func mapRequest(_ opcode: Opcode = .mapUDP, internalPort: UInt16, suggestedExternalPort: UInt16,
                                  lifetime: UInt32) -> [UInt8] {
        var bytes: [UInt8] = [version, opcode.rawValue, 0, 0]
        bytes.appendBigEndian(internalPort)
        bytes.appendBigEndian(lifetime == 0 ? 0 : suggestedExternalPort)
        bytes.appendBigEndian(lifetime)
        return bytes
    }

    public enum Response: Hashable, Sendable {
        /// Opcode 128 (§3.2).
        case externalAddress(result: ResultCode, epoch: UInt32, address: NATIP)
        /// Opcode 129/130 (§3.3).
        case mapping(opcode: Opcode, result: ResultCode, epoch: UInt32, internalPort: UInt16,
                     externalPort: UInt16, lifetime: UInt32)
        /// A short error reply (e.g. to a request of a version it does not
        /// speak): only the header and epoch are meaningful.
        case error(opcode: UInt8, result: ResultCode, epoch: UInt32)
    }

    public enum DecodingError: Error, Hashable, Sendable, CustomStringConvertible {
        case truncated(Int)
        case notNATPMP(version: UInt8)
        case notAResponse(opcode: UInt8)

        public var description: String {
            switch self {
            case .truncated(let count): return "NAT-PMP reply of \(count) bytes is too short"
            case .notNATPMP(let version): return "not a NAT-PMP reply (version \(version))"
            case .notAResponse(let opcode): return "NAT-PMP opcode \(opcode) is not a response"
            }
        }
    }

    public static func decode(_ datagram: [UInt8]) throws(DecodingError) -> Response {
        guard datagram.count >= 8 else { throw .truncated(datagram.count) }
        var reader = ByteReader(datagram)
        let version = reader.u8()
        guard version == self.version else { throw .notNATPMP(version: version) }
        let opcode = reader.u8()
        guard opcode >= 128 else { throw .notAResponse(opcode: opcode) }
        let result = ResultCode(reader.u16())
        let epoch = reader.u32()
        switch Opcode(rawValue: opcode - 128) {
        case .externalAddress?:
            guard datagram.count >= 12 else {
                if result != .success { return .error(opcode: opcode, result: result, epoch: epoch) }
                throw .truncated(datagram.count)
            }
            return .externalAddress(result: result, epoch: epoch, address: NATIP(bytes: reader.take(4))!)
        case .mapUDP?, .mapTCP?:
            guard datagram.count >= 16 else {
                if result != .success { return .error(opcode: opcode, result: result, epoch: epoch) }
                throw .truncated(datagram.count)
            }
            return .mapping(opcode: Opcode(rawValue: opcode - 128)!, result: result, epoch: epoch,
                            internalPort: reader.u16(), externalPort: reader.u16(), lifetime: reader.u32())
        case nil:
            return .error(opcode: opcode, result: result, epoch: epoch)
        }
    }
}
