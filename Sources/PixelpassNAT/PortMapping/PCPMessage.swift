/// PCP (RFC 6887) on the wire: version 2, the MAP opcode, IPv4 addresses
/// as IPv4-mapped IPv6, requests to the gateway's UDP port 5351.
public enum PCP {
    public static let port: UInt16 = 5351
    public static let version: UInt8 = 2
    static let mapOpcode: UInt8 = 1
    /// IANA protocol numbers.
    public static let udp: UInt8 = 17
    public static let tcp: UInt8 = 6

    /// 96 random bits that tie responses (and later refreshes and the
    /// deletion) to this mapping (§11.1).
    public struct Nonce: Hashable, Sendable {
        public let bytes: [UInt8]

        public init?(bytes: [UInt8]) {
            guard bytes.count == 12 else { return nil }
            self.bytes = bytes
        }

        public static func random(using generator: inout some RandomNumberGenerator) -> Nonce {
            Nonce(bytes: (0..<12).map { _ in UInt8.random(in: .min ... .max, using: &generator) })!
        }
    }

    /// §7.4 result codes.
    public enum ResultCode: Hashable, Sendable, CustomStringConvertible {
        case success, unsupportedVersion, notAuthorized, malformedRequest, unsupportedOpcode, unsupportedOption,
             malformedOption, networkFailure, noResources, unsupportedProtocol, userExceededQuota,
             cannotProvideExternal, addressMismatch, excessiveRemotePeers
        case other(UInt8)

        public init(_ raw: UInt8) {
            switch raw {
            case 0: self = .success
            case 1: self = .unsupportedVersion
            case 2: self = .notAuthorized
            case 3: self = .malformedRequest
            case 4: self = .unsupportedOpcode
            case 5: self = .unsupportedOption
            case 6: self = .malformedOption
            case 7: self = .networkFailure
            case 8: self = .noResources
            case 9: self = .unsupportedProtocol
            case 10: self = .userExceededQuota
            case 11: self = .cannotProvideExternal
            case 12: self = .addressMismatch
            case 13: self = .excessiveRemotePeers
            default: self = .other(raw)
            }
        }

        /// The names RFC 6887 §7.4 gives them.
        public var description: String {
            switch self {
            case .success: return "SUCCESS"
            case .unsupportedVersion: return "UNSUPP_VERSION (1)"
            case .notAuthorized: return "NOT_AUTHORIZED (2): port mapping is off on the router"
            case .malformedRequest: return "MALFORMED_REQUEST (3)"
            case .unsupportedOpcode: return "UNSUPP_OPCODE (4)"
            case .unsupportedOption: return "UNSUPP_OPTION (5)"
            case .malformedOption: return "MALFORMED_OPTION (6)"
            case .networkFailure: return "NETWORK_FAILURE (7): the router has no external address"
            case .noResources: return "NO_RESOURCES (8)"
            case .unsupportedProtocol: return "UNSUPP_PROTOCOL (9)"
            case .userExceededQuota: return "USER_EX_QUOTA (10): too many mappings for this address"
            case .cannotProvideExternal: return "CANNOT_PROVIDE_EXTERNAL (11)"
            case .addressMismatch: return "ADDRESS_MISMATCH (12): a NAT between us and the router"
            case .excessiveRemotePeers: return "EXCESSIVE_REMOTE_PEERS (13)"
            case .other(let raw): return "result code \(raw)"
            }
        }
    }

    public struct MapRequest: Hashable, Sendable {
        public var nonce: Nonce
        public var client: NATIP
        public var internalPort: UInt16
        public var suggestedExternal: NATAddress?
        /// Seconds; 0 deletes the mapping.
        public var lifetime: UInt32
        public var protocolNumber: UInt8

        public init(nonce: Nonce, client: NATIP, internalPort: UInt16, suggestedExternal: NATAddress? = nil,
                    lifetime: UInt32, protocolNumber: UInt8 = PCP.udp) {
            self.nonce = nonce
            self.client = client
            self.internalPort = internalPort
            self.suggestedExternal = suggestedExternal
            self.lifetime = lifetime
            self.protocolNumber = protocolNumber
        }

        /// §7.1 common header (24 bytes) + §11.1 MAP payload (36 bytes).
        public func encode() -> [UInt8] {
            var bytes: [UInt8] = [PCP.version, PCP.mapOpcode, 0, 0]
            bytes.appendBigEndian(lifetime)
            bytes += client.pcpBytes
            bytes += nonce.bytes
            bytes += [protocolNumber, 0, 0, 0]
            bytes.appendBigEndian(internalPort)
            bytes.appendBigEndian(suggestedExternal?.port ?? 0)
            // No preference: the all-zeros address of the client's family.
            let unspecified: NATIP = client.isIPv4 ? .v4(0) : .v6(high: 0, low: 0)
            bytes += (suggestedExternal?.ip ?? unspecified).pcpBytes
            return bytes
        }
    }

    public struct MapResponse: Hashable, Sendable {
        public var result: ResultCode
        /// Seconds granted (success) or how long the error holds.
        public var lifetime: UInt32
        public var epoch: UInt32
        public var nonce: Nonce
        public var protocolNumber: UInt8
        public var internalPort: UInt16
        public var external: NATAddress
    }

    public enum Response: Hashable, Sendable {
        case map(MapResponse)
        /// Any response without a MAP payload (an error to another opcode,
        /// or a short UNSUPP_VERSION): its version, opcode and result.
        case other(version: UInt8, opcode: UInt8, result: ResultCode)
    }

    public enum DecodingError: Error, Hashable, Sendable, CustomStringConvertible {
        case truncated(Int)
        /// Version 0: a NAT-PMP server answered (RFC 6887 §9).
        case natPMPReply
        case notAResponse
        case unsupportedVersion(UInt8)

        public var description: String {
            switch self {
            case .truncated(let count): return "PCP reply of \(count) bytes is too short"
            case .natPMPReply: return "a NAT-PMP reply, not PCP"
            case .notAResponse: return "a PCP request, not a response"
            case .unsupportedVersion(let version): return "PCP version \(version) is not supported"
            }
        }
    }

    public static func decode(_ datagram: [UInt8]) throws(DecodingError) -> Response {
        guard datagram.count >= 4 else { throw .truncated(datagram.count) }
        if datagram[0] == NATPMP.version { throw .natPMPReply }
        guard datagram[1] & 0x80 != 0 else { throw .notAResponse }
        let opcode = datagram[1] & 0x7F
        let result = ResultCode(datagram[3])
        // A server that speaks another version answers UNSUPP_VERSION in its
        // own version; only the first four bytes are sure to be there.
        guard datagram[0] == version else {
            if result == .unsupportedVersion { return .other(version: datagram[0], opcode: opcode, result: result) }
            throw .unsupportedVersion(datagram[0])
        }
        guard datagram.count >= 24 else {
            if result != .success { return .other(version: datagram[0], opcode: opcode, result: result) }
            throw .truncated(datagram.count)
        }
        var reader = ByteReader(datagram)
        reader.skip(4)
        let lifetime = reader.u32()
        let epoch = reader.u32()
        reader.skip(12)
        guard opcode == mapOpcode else { return .other(version: datagram[0], opcode: opcode, result: result) }
        guard reader.remaining >= 36 else {
            if result != .success { return .other(version: datagram[0], opcode: opcode, result: result) }
            throw .truncated(datagram.count)
        }
        let nonce = Nonce(bytes: reader.take(12))!
        let protocolNumber = reader.u8()
        reader.skip(3)
        let internalPort = reader.u16()
        let externalPort = reader.u16()
        let externalIP = NATIP(pcpBytes: reader.take(16))
        return .map(MapResponse(result: result, lifetime: lifetime, epoch: epoch, nonce: nonce,
                                protocolNumber: protocolNumber, internalPort: internalPort,
                                external: NATAddress(ip: externalIP, port: externalPort)))
    }
}
